/**
 * Seeded generator of Avro reader/writer schema pairs for the differential
 * test against python3-avro: a random writer schema (records with nested
 * records, enums, fixed, arrays, maps, unions, defaults, aliases and
 * recursive references), and a reader made from it by random edits that
 * are sometimes compatible (promotions, added fields with defaults, renames
 * with aliases, added enum symbols, union widening) and sometimes not.
 * Schemas are plain JSON, as a registry receives them.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export interface SchemaPair {
  readonly reader: Json;
  readonly writer: Json;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
const SYMBOLS = ['A', 'B', 'C', 'D', 'E'];

export class PairGenerator {
  private names = 0;
  private readonly rnd: () => number;
  constructor(rnd: () => number) {
    this.rnd = rnd;
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }
  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rnd() * items.length)] as T;
  }
  private newName(): string {
    this.names += 1;
    // Some names carry a namespace, so full names (not short ones) must match.
    return this.chance(0.2) ? `ns${this.names % 2}.N${this.names}` : `N${this.names}`;
  }

  pair(): SchemaPair {
    this.names = 0;
    const writer = this.record(0, true);
    const reader = this.chance(0.05) ? this.record(0, true) : this.mutate(writer, 0);
    return { reader, writer };
  }

  /** A writer type; `inside` names the records enclosing it (for recursive references). */
  type(depth: number, inside: readonly string[] = []): Json {
    const roll = this.rnd();
    if (depth >= 3 || roll < 0.45) return this.pick(PRIMITIVES);
    if (roll < 0.55) return this.record(depth, false, inside);
    if (roll < 0.65) return this.enumType();
    if (roll < 0.7) return { type: 'fixed', name: this.newName(), size: 1 + Math.floor(this.rnd() * 4) };
    if (roll < 0.78) return { type: 'array', items: this.type(depth + 1, inside) };
    if (roll < 0.86) return { type: 'map', values: this.type(depth + 1, inside) };
    return this.union(depth, inside);
  }

  private enumType(): Json {
    const symbols = SYMBOLS.filter(() => this.chance(0.6));
    if (symbols.length === 0) symbols.push('A');
    const e: Obj = { type: 'enum', name: this.newName(), symbols };
    if (this.chance(0.25)) e.default = this.pick(symbols);
    return e;
  }

  private union(depth: number, inside: readonly string[]): Json {
    const branches: Json[] = [];
    const kinds = new Set<string>();
    for (let i = 0; i < 2 + Math.floor(this.rnd() * 2); i++) {
      const branch = this.type(depth + 1, inside);
      if (typeof branch === 'object' && branch !== null && !Array.isArray(branch) && 'type' in branch) {
        // Two arrays or two maps in one union are not allowed; named ones differ by name.
        const k = String(branch.type);
        if ((k === 'array' || k === 'map') && kinds.has(k)) continue;
        kinds.add(k);
      } else if (Array.isArray(branch)) {
        continue; // no unions directly inside unions
      } else if (kinds.has(String(branch))) {
        continue;
      } else {
        kinds.add(String(branch));
      }
      branches.push(branch);
    }
    if (branches.length === 0) branches.push('null');
    return branches;
  }

  record(depth: number, top: boolean, inside: readonly string[] = []): Json {
    const name = this.newName();
    const within = [...inside, name];
    const fields: Json[] = [];
    const count = top ? 1 + Math.floor(this.rnd() * 4) : Math.floor(this.rnd() * 3);
    for (let i = 0; i < count; i++) {
      const recursive = this.chance(0.12);
      const type = recursive ? ['null', this.pick(within)] : this.type(depth + 1, within);
      const field: Obj = { name: `f${i}`, type };
      if (recursive || this.chance(0.3)) {
        const value = defaultFor(type);
        if (value !== undefined) field.default = value;
      }
      fields.push(field);
    }
    const record: Obj = { type: 'record', name, fields };
    return record;
  }

  /** A reader made from `writer` by random edits. */
  mutate(writer: Json, depth: number): Json {
    if (typeof writer === 'string') return this.mutatePrimitive(writer);
    if (Array.isArray(writer)) return this.mutateUnion(writer, depth);
    if (writer === null || typeof writer !== 'object') return writer;
    const t = writer.type;
    if (t === 'record') return this.mutateRecord(writer, depth);
    if (t === 'enum') return this.mutateEnum(writer);
    if (t === 'fixed') {
      const out: Obj = { ...writer };
      if (this.chance(0.15)) out.size = Number(writer.size) + 1;
      return this.maybeRename(out);
    }
    if (t === 'array')
      return this.chance(0.05)
        ? { type: 'map', values: writer.items ?? null }
        : { type: 'array', items: this.mutate(writer.items ?? null, depth + 1) };
    if (t === 'map')
      return this.chance(0.05)
        ? { type: 'array', items: writer.values ?? null }
        : { type: 'map', values: this.mutate(writer.values ?? null, depth + 1) };
    return writer;
  }

  private mutatePrimitive(type: string): Json {
    if (!(PRIMITIVES as readonly string[]).includes(type)) return type; // a named reference stays
    const roll = this.rnd();
    if (roll < 0.6) return type;
    if (roll < 0.85) return this.pick(PRIMITIVES); // promotions, demotions, or unrelated
    return type === 'null' ? ['null', 'string'] : ['null', type]; // widen into a union
  }

  private mutateUnion(branches: Json[], depth: number): Json {
    const roll = this.rnd();
    if (roll < 0.15 && branches.length > 1)
      return branches.filter((_, i) => i !== Math.floor(this.rnd() * branches.length));
    if (roll < 0.25) return [...branches].reverse();
    if (roll < 0.35) return this.mutate(this.pick(branches), depth); // a non-union reader
    if (roll < 0.45 && !branches.includes('string') && !branches.includes('bytes')) return [...branches, 'string'];
    return branches.map((b) => (typeof b === 'string' ? b : this.mutate(b, depth + 1)));
  }

  private mutateEnum(writer: Obj): Json {
    const symbols = [...(writer.symbols as string[])];
    const out: Obj = { ...writer, symbols };
    const roll = this.rnd();
    if (roll < 0.2) symbols.push(...SYMBOLS.filter((s) => !symbols.includes(s)).slice(0, 1));
    else if (roll < 0.4 && symbols.length > 1) symbols.splice(Math.floor(this.rnd() * symbols.length), 1);
    if (out.default !== undefined && !symbols.includes(String(out.default))) delete out.default;
    if (this.chance(0.2)) out.default = this.pick(symbols);
    else if (this.chance(0.1)) delete out.default;
    return this.maybeRename(out);
  }

  private mutateRecord(writer: Obj, depth: number): Json {
    const fields: Obj[] = [];
    for (const f of writer.fields as Obj[]) {
      if (this.chance(0.1)) continue; // a field the reader drops
      const field: Obj = { ...f, type: this.mutate(f.type ?? null, depth + 1) };
      if (this.chance(0.1)) {
        field.name = `${String(f.name)}r`;
        if (this.chance(0.6)) field.aliases = [String(f.name)];
      }
      if (field.default !== undefined || this.chance(0.1)) {
        const value = defaultFor(field.type ?? null);
        if (value === undefined || this.chance(0.05)) delete field.default;
        else field.default = value;
      }
      fields.push(field);
    }
    if (this.chance(0.25)) {
      const type = this.type(depth + 1);
      const field: Obj = { name: `added${fields.length}`, type };
      const value = defaultFor(type);
      if (value !== undefined && this.chance(0.7)) field.default = value;
      fields.push(field);
    }
    if (this.chance(0.1)) fields.reverse();
    return this.maybeRename({ ...writer, fields });
  }

  /** Sometimes renames a named type, usually keeping the old name as an alias. */
  private maybeRename(named: Obj): Json {
    const old = String(named.name);
    if (old.startsWith('ns') && this.chance(0.1)) {
      // A changed namespace: the spec matches named types by unqualified name.
      const moved = `ns${old[2] === '0' ? 1 : 0}${old.slice(3)}`;
      return { ...(renameReferences(named, old, moved) as Obj), name: moved };
    }
    if (!this.chance(0.08)) return named;
    const renamed = renameReferences(named, old, `${old}x`) as Obj;
    renamed.name = `${old}x`;
    // Aliases are written fully qualified; relative ones are a known python3-avro difference (see the test).
    if (this.chance(0.7)) renamed.aliases = [old];
    return renamed;
  }
}

/** A valid default for `type`, or undefined where none is simple to write. */
export function defaultFor(type: Json): Json | undefined {
  if (Array.isArray(type)) return type.length > 0 ? defaultFor(type[0] ?? null) : undefined;
  if (typeof type === 'string') {
    const simple: Record<string, Json> = {
      null: null,
      boolean: true,
      int: 1,
      long: 2,
      float: 1.5,
      double: 2.5,
      bytes: 'b',
      string: 's',
    };
    return type in simple ? simple[type] : undefined;
  }
  if (type === null || typeof type !== 'object') return undefined;
  switch (type.type) {
    case 'enum':
      return (type.symbols as string[])[0];
    case 'fixed':
      return 'z'.repeat(Number(type.size));
    case 'array':
      return [];
    case 'map':
      return {};
    case 'record': {
      const value: Obj = {};
      for (const f of type.fields as Obj[]) {
        const v = f.default !== undefined ? f.default : defaultFor(f.type ?? null);
        if (v === undefined) return undefined;
        value[String(f.name)] = v;
      }
      return value;
    }
    default:
      return undefined;
  }
}

/** Renames string references to `from` inside `schema` (a recursive record's references to itself). */
function renameReferences(schema: Json, from: string, to: string): Json {
  if (schema === from) return to;
  if (Array.isArray(schema)) return schema.map((s) => renameReferences(s, from, to));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'type' || k === 'items' || k === 'values' || k === 'fields' ? renameReferences(v, from, to) : v;
  }
  return out;
}
