/**
 * Avro reader/writer compatibility: can a reader holding `reader` decode
 * every datum written with `writer`? The rules are the Avro
 * specification's "Schema Resolution" section, checked statically:
 * records, enums and fixed match by unqualified name or a reader alias; reader
 * fields match writer fields by name or a reader field alias; a reader
 * field the writer lacks needs a default; enums need every writer symbol
 * unless the reader has a default symbol; fixed needs the same size;
 * arrays and maps recurse; unions resolve branch by branch; and the
 * promotions int→long/float/double, long→float/double, float→double,
 * string↔bytes. Pure: no I/O, no registry state.
 */
import avro from 'avsc';
import type { Incompatibility } from './compatibility-levels.ts';

/** Change types, named as Confluent's verbose answers name them. */
export type AvroChangeType =
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'NAME_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

/** An Avro incompatibility; `path` is a JSON-pointer-like location in the reader schema, e.g. `/fields/2/type`. */
export interface AvroIncompatibility extends Incompatibility {
  readonly type: AvroChangeType;
}

type AvroType = avro.Type;
type Named = AvroType & { readonly name: string; readonly aliases?: readonly string[] };
interface FieldLike {
  readonly name: string;
  readonly type: AvroType;
  readonly aliases: readonly string[];
  defaultValue(): unknown;
}
type RecordLike = Named & { readonly fields: readonly FieldLike[] };
type EnumLike = Named & { readonly symbols: readonly string[]; readonly default?: string };
type FixedLike = Named & { readonly size: number };
type UnionLike = AvroType & { readonly types: readonly AvroType[] };

/** Which writer types each reader type accepts besides itself (the spec's promotions). */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

function kind(type: AvroType): string {
  // avsc names unions 'union:wrapped' / 'union:unwrapped'; both are unions here.
  const name = type.typeName;
  return name.startsWith('union') ? 'union' : name;
}

function toType(schema: unknown): AvroType {
  return avro.Type.isType(schema) ? (schema as AvroType) : avro.Type.forSchema(schema as avro.Schema);
}

/**
 * Every reason `reader` cannot read what `writer` wrote; empty when it
 * can. Accepts avsc types (parsed with their references) or JSON schemas.
 */
export function checkAvroCompatibility(reader: unknown, writer: unknown): AvroIncompatibility[] {
  return new Checker().check(toType(reader), toType(writer), '');
}

class Checker {
  // Pairs being checked further up the stack: recursive named types meet
  // themselves again, and a pair that is already being checked is assumed
  // to resolve (its problems are reported where it was first entered).
  private readonly inProgress = new Map<AvroType, Set<AvroType>>();
  // Finished pairs: the same pair met again (shared named types) costs nothing.
  private readonly done = new Map<AvroType, Map<AvroType, AvroIncompatibility[]>>();

  check(reader: AvroType, writer: AvroType, path: string): AvroIncompatibility[] {
    const cached = this.done.get(reader)?.get(writer);
    if (cached !== undefined) return cached;
    const active = this.inProgress.get(reader) ?? new Set<AvroType>();
    if (active.has(writer)) return [];
    active.add(writer);
    this.inProgress.set(reader, active);
    const result = this.compute(reader, writer, path);
    active.delete(writer);
    let byWriter = this.done.get(reader);
    if (byWriter === undefined) {
      byWriter = new Map();
      this.done.set(reader, byWriter);
    }
    byWriter.set(writer, result);
    return result;
  }

  private compute(reader: AvroType, writer: AvroType, path: string): AvroIncompatibility[] {
    const r = kind(reader);
    const w = kind(writer);
    if (r === 'union' && w === 'union') return this.unionToUnion(reader as UnionLike, writer as UnionLike, path);
    // A writer union: whichever branch was written, the reader must read it.
    if (w === 'union') return (writer as UnionLike).types.flatMap((branch) => this.check(reader, branch, path));
    if (r === 'union') return this.intoReaderUnion(reader as UnionLike, writer, path);
    if (r !== w) {
      if (PROMOTIONS[r]?.includes(w)) return [];
      return [mismatch(r, w, path)];
    }
    switch (r) {
      case 'record':
        return this.records(reader as RecordLike, writer as RecordLike, path);
      case 'enum':
        return [
          ...names(reader as Named, writer as Named, path),
          ...enums(reader as EnumLike, writer as EnumLike, path),
        ];
      case 'fixed':
        return [
          ...names(reader as Named, writer as Named, path),
          ...fixedSizes(reader as FixedLike, writer as FixedLike, path),
        ];
      case 'array':
        return this.check(itemsOf(reader), itemsOf(writer), `${path}/items`);
      case 'map':
        return this.check(valuesOf(reader), valuesOf(writer), `${path}/values`);
      default:
        return []; // the same primitive
    }
  }

  private unionToUnion(reader: UnionLike, writer: UnionLike, path: string): AvroIncompatibility[] {
    const out: AvroIncompatibility[] = [];
    writer.types.forEach((branch, i) => {
      if (this.check(reader, branch, `${path}/${i}`).length > 0) {
        out.push({
          type: 'MISSING_UNION_BRANCH',
          path: `${path}/${i}`,
          message: `reader union lacks a branch that reads writer branch ${i} (${describe(branch)})`,
          detail: describe(branch),
        });
      }
    });
    return out;
  }

  private intoReaderUnion(reader: UnionLike, writer: AvroType, path: string): AvroIncompatibility[] {
    // The spec picks the first reader branch that matches the writer; a
    // branch that matches but does not resolve fails, and no other branch
    // of the same kind can match it (a union holds one of each unnamed
    // type, and named ones are told apart by name), so "some branch
    // resolves" is the same verdict.
    if (reader.types.some((branch) => this.check(branch, writer, path).length === 0)) return [];
    return [
      {
        type: 'MISSING_UNION_BRANCH',
        path: path || '/',
        message: `reader union lacks a branch that reads writer type ${describe(writer)}`,
        detail: describe(writer),
      },
    ];
  }

  private records(reader: RecordLike, writer: RecordLike, path: string): AvroIncompatibility[] {
    const out = names(reader, writer, path);
    const byName = new Map(writer.fields.map((f) => [f.name, f] as const));
    reader.fields.forEach((field, i) => {
      const fieldPath = `${path}/fields/${i}`;
      const match = [field.name, ...field.aliases].map((n) => byName.get(n)).find((f) => f !== undefined);
      if (match !== undefined) {
        out.push(...this.check(field.type, match.type, `${fieldPath}/type`));
      } else if (field.defaultValue() === undefined) {
        out.push({
          type: 'READER_FIELD_MISSING_DEFAULT_VALUE',
          path: fieldPath,
          message: `reader field '${field.name}' has no default value and is missing from the writer`,
          detail: field.name,
        });
      }
    });
    return out;
  }
}

function names(reader: Named, writer: Named, path: string): AvroIncompatibility[] {
  // The spec matches named types by unqualified name (a namespace may
  // change), as Avro's Java and Python checkers do; a reader alias must
  // name the writer's full name. avsc gives full names, with aliases
  // already qualified by the namespace of the type they are on.
  if (shortName(reader.name) === shortName(writer.name) || (reader.aliases ?? []).includes(writer.name)) return [];
  return [
    {
      type: 'NAME_MISMATCH',
      path: `${path}/name`,
      message: `reader name '${reader.name}' is neither the writer's '${writer.name}' nor one of its aliases`,
      detail: writer.name,
    },
  ];
}

function enums(reader: EnumLike, writer: EnumLike, path: string): AvroIncompatibility[] {
  const known = new Set(reader.symbols);
  const missing = writer.symbols.filter((s) => !known.has(s));
  // A reader default symbol stands in for every writer symbol it lacks.
  if (missing.length === 0 || reader.default !== undefined) return [];
  return [
    {
      type: 'MISSING_ENUM_SYMBOLS',
      path: `${path}/symbols`,
      message: `reader enum lacks writer symbols [${missing.join(', ')}] and has no default`,
      detail: `[${missing.join(', ')}]`,
    },
  ];
}

function fixedSizes(reader: FixedLike, writer: FixedLike, path: string): AvroIncompatibility[] {
  if (reader.size === writer.size) return [];
  return [
    {
      type: 'FIXED_SIZE_MISMATCH',
      path: `${path}/size`,
      message: `reader fixed size ${reader.size} differs from the writer's ${writer.size}`,
      detail: `expected: ${writer.size}, found: ${reader.size}`,
    },
  ];
}

function mismatch(reader: string, writer: string, path: string): AvroIncompatibility {
  return {
    type: 'TYPE_MISMATCH',
    path: path || '/',
    message: `reader type ${reader} cannot read writer type ${writer}`,
    detail: `reader type: ${reader} not compatible with writer type: ${writer}`,
  };
}

function describe(type: AvroType): string {
  const name = (type as Partial<Named>).name;
  return name === undefined ? kind(type) : `${kind(type)} ${name}`;
}

function itemsOf(type: AvroType): AvroType {
  return (type as AvroType & { readonly itemsType: AvroType }).itemsType;
}

function valuesOf(type: AvroType): AvroType {
  return (type as AvroType & { readonly valuesType: AvroType }).valuesType;
}

function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}
