/**
 * JSON Schema reader/writer compatibility: can a reader holding `reader`
 * accept every document valid under `writer`? Confluent's rules
 * (its compatibility docs, and Robert Yokota's "Understanding JSON Schema
 * Compatibility"), checked statically and named with Confluent's change
 * types: properties and tuple items under open, closed and partially open
 * content models; `required`; types (integer→number widens, the reverse
 * narrows); enums; string, number, object and array bounds; `not`; and
 * `oneOf` / `anyOf` / `allOf`, matched branch to branch. `$ref`s are
 * followed inside a document and into referenced schemas (by the
 * reference's name). Only incompatible changes are reported; paths are
 * JSON pointers (`#/properties/a/maxLength`). Pure: no I/O.
 */
import { isObject, type JsonValue, type ResolvedJsonSchema } from '../formats/json-schema.ts';
import type { Incompatibility } from './compatibility-levels.ts';
import {
  admits,
  BOUND_NAMES,
  isUnconstrained,
  type JsonObject,
  numericBounds,
  sameValue,
  tightened,
  typesOf,
  valuesOf,
} from './json-schema-keywords.ts';
import { deref, type Node } from './json-schema-refs.ts';
import { arrayChanges, boundChanges, objectChanges, problem } from './json-schema-structures.ts';

/** Every reason `reader` cannot read what `writer` wrote; empty when it can. */
export function checkJsonSchemaCompatibility(
  reader: ResolvedJsonSchema,
  writer: ResolvedJsonSchema,
): Incompatibility[] {
  return new Checker(writer, reader).run().map((p) => (p.path === '#' ? { ...p, path: '#/' } : p));
}

const COMBINATORS = ['oneOf', 'anyOf', 'allOf'] as const;
type Combinator = { readonly keyword: (typeof COMBINATORS)[number]; readonly branches: JsonValue[] };

class Checker {
  readonly #writer: ResolvedJsonSchema;
  readonly #reader: ResolvedJsonSchema;
  // Pairs being compared further up the stack: a recursive schema meets itself again, and a pair already
  // being compared is assumed to be compatible (its problems are reported where it was first entered).
  readonly #active = new Map<object, Set<object>>();
  // Finished pairs with the path they were compared at: the same pair met again (a shared definition, the
  // branch pairings of combined schemas) is answered from here, its paths moved to where it is met now.
  readonly #done = new Map<object, Map<object, { path: string; problems: Incompatibility[] }>>();

  constructor(writer: ResolvedJsonSchema, reader: ResolvedJsonSchema) {
    this.#writer = writer;
    this.#reader = reader;
  }

  run(): Incompatibility[] {
    const w = { schema: this.#writer.root, doc: { root: this.#writer.root, key: this.#writer.base } };
    const r = { schema: this.#reader.root, doc: { root: this.#reader.root, key: this.#reader.base } };
    return this.compare(w, r, '#');
  }

  private compare(writerNode: Node, readerNode: Node, path: string): Incompatibility[] {
    const w = deref(writerNode, this.#writer);
    const r = deref(readerNode, this.#reader);
    if (typeof w.schema !== 'object' || typeof r.schema !== 'object' || w.schema === null || r.schema === null) {
      return this.compute(w, r, path);
    }
    const done = this.#done.get(w.schema)?.get(r.schema);
    if (done !== undefined) return done.problems.map((p) => ({ ...p, path: path + p.path.slice(done.path.length) }));
    const active = this.#active.get(w.schema) ?? new Set<object>();
    if (active.has(r.schema)) return [];
    active.add(r.schema);
    this.#active.set(w.schema, active);
    let problems: Incompatibility[];
    try {
      problems = this.compute(w, r, path);
    } finally {
      active.delete(r.schema);
    }
    let byReader = this.#done.get(w.schema);
    if (byReader === undefined) {
      byReader = new Map();
      this.#done.set(w.schema, byReader);
    }
    byReader.set(r.schema, { path, problems });
    return problems;
  }

  /** The recursion handed to the object and array rules: subschemas of the current two nodes. */
  private nested(w: Node, r: Node) {
    return (ws: JsonValue, rs: JsonValue, path: string) =>
      this.compare({ schema: ws, doc: w.doc }, { schema: rs, doc: r.doc }, path);
  }

  private compute(w: Node, r: Node, path: string): Incompatibility[] {
    if (isUnconstrained(r.schema) || w.schema === false) return [];
    if (r.schema === false) return [problem('TYPE_CHANGED', path, 'the reader schema accepts no value', 'false')];
    if (!isObject(w.schema) || !isObject(r.schema) || isUnconstrained(w.schema)) {
      return [problem('TYPE_CHANGED', path, 'the writer schema accepts any value; the reader constrains it', 'any')];
    }
    const ws = w.schema;
    const rs = r.schema;
    const wc = combinatorOf(ws);
    const rc = combinatorOf(rs);
    const wPure = wc !== undefined && isUnconstrained(without(ws, wc.keyword));
    const rPure = rc !== undefined && isUnconstrained(without(rs, rc.keyword));
    if (wPure && rPure) return this.combined(w, r, wc, rc, path);
    if (rPure) return this.intoCombined(w, r, rc, path);
    if (wPure) return this.fromCombined(w, r, wc, path);
    const out = this.plain(w, r, ws, rs, path);
    // Combinators beside other keywords: the writer's only narrow what it wrote; the reader's must still be met.
    if (rc !== undefined) {
      out.push(...(wc !== undefined ? this.combined(w, r, wc, rc, path) : this.intoCombined(w, r, rc, path)));
    }
    return out;
  }

  /** The reader is a oneOf/anyOf/allOf of branches; the writer is not. */
  private intoCombined(w: Node, r: Node, rc: Combinator, path: string): Incompatibility[] {
    const at = (i: number) => `${path}/${rc.keyword}/${i}`;
    const readerBranch = (branch: JsonValue): Node => ({ schema: branch, doc: r.doc });
    if (rc.keyword === 'allOf') return rc.branches.flatMap((b, i) => this.compare(w, readerBranch(b), at(i)));
    // A sum type extended: one branch that reads the writer is enough.
    if (rc.branches.some((b, i) => this.compare(w, readerBranch(b), at(i)).length === 0)) return [];
    return [problem('TYPE_CHANGED', path, `no ${rc.keyword} branch of the reader reads the writer schema`, rc.keyword)];
  }

  /** The writer is a oneOf/anyOf/allOf of branches; the reader is not. */
  private fromCombined(w: Node, r: Node, wc: Combinator, path: string): Incompatibility[] {
    const readable = wc.branches.map(
      (b) => this.compare({ schema: b, doc: w.doc }, r, `${path}/${wc.keyword}`).length === 0,
    );
    // A product type narrowed: one conjunct the reader reads is enough; every alternative of a sum must be read.
    if (wc.keyword === 'allOf' ? readable.includes(true) : readable.every(Boolean)) return [];
    const failing = readable.flatMap((ok, i) => (ok ? [] : [i]));
    return [
      problem(
        'TYPE_CHANGED',
        path,
        `the reader does not read the writer's ${wc.keyword} branches [${failing.join(', ')}]`,
        wc.keyword,
      ),
    ];
  }

  /** Both are oneOf/anyOf/allOf: the combinator may only widen, and the branches must pair up. */
  private combined(w: Node, r: Node, wc: Combinator, rc: Combinator, path: string): Incompatibility[] {
    const wb = distinct(wc.branches);
    const rb = distinct(rc.branches);
    if (wc.keyword !== rc.keyword) {
      const widened =
        rc.keyword === 'anyOf' ||
        (wb.length === 1 && (rb.length === 1 || rc.keyword === 'oneOf')) ||
        (rb.length === 1 && wc.keyword === 'allOf');
      if (!widened) {
        const message = `the writer's ${wc.keyword} became the reader's ${rc.keyword}`;
        return [problem('COMBINED_TYPE_CHANGED', path, message, `${wc.keyword} → ${rc.keyword}`)];
      }
    }
    const out: Incompatibility[] = [];
    if (wb.length > rb.length && wc.keyword !== 'allOf') {
      out.push(problem('SUM_TYPE_NARROWED', path, `the reader's ${rc.keyword} has fewer branches`, rc.keyword));
    }
    if (wb.length < rb.length && rc.keyword === 'allOf') {
      out.push(problem('PRODUCT_TYPE_EXTENDED', path, "the reader's allOf has more branches", rc.keyword));
    }
    const edges = wb.map((wBranch) =>
      rb.flatMap((rBranch, j) =>
        this.compare({ schema: wBranch, doc: w.doc }, { schema: rBranch, doc: r.doc }, `${path}/${rc.keyword}/${j}`)
          .length === 0
          ? [j]
          : [],
      ),
    );
    if (maxMatching(edges, rb.length) < Math.min(wb.length, rb.length)) {
      const message = `the ${rc.keyword} branches of the reader do not each read a branch of the writer`;
      out.push(problem('COMBINED_TYPE_SUBSCHEMAS_CHANGED', path, message, rc.keyword));
    }
    return out;
  }

  /** Two schemas that are not combinators: type, enum, the keywords of each type, `not`. */
  private plain(w: Node, r: Node, ws: JsonObject, rs: JsonObject, path: string): Incompatibility[] {
    const out: Incompatibility[] = [];
    const wValues = valuesOf(ws);
    const rValues = valuesOf(rs);
    const wTypes = wValues !== undefined && typesOf(ws) === 'any' ? new Set(wValues.map(jsonType)) : typesOf(ws);
    const rTypes = typesOf(rs);
    if (rTypes !== 'any') {
      const described = `writer: ${describe(wTypes)}, reader: ${describe(rTypes)}`;
      if (wTypes === 'any') return [problem('TYPE_CHANGED', path, 'the reader constrains the type', described)];
      const missing = [...wTypes].filter((t) => !admits(rTypes, t));
      if (missing.length > 0) {
        if (missing.every((t) => t === 'number') && rTypes.has('integer')) {
          out.push(
            problem('TYPE_NARROWED', path, 'the reader takes integers where the writer wrote numbers', described),
          );
        } else if (wTypes.size > 1 && [...rTypes].every((t) => admits(wTypes, t))) {
          out.push(problem('SUM_TYPE_NARROWED', path, `the reader no longer takes ${missing.join(', ')}`, described));
        } else {
          return [problem('TYPE_CHANGED', path, 'the reader does not take the type the writer wrote', described)];
        }
      }
    }
    if (rValues !== undefined) {
      const at = `${path}/${Array.isArray(rs.enum) ? 'enum' : 'const'}`;
      if (wValues === undefined) {
        out.push(problem('ENUM_ARRAY_NARROWED', at, 'the reader accepts only listed values', JSON.stringify(rValues)));
      } else {
        const lost = wValues.filter((v) => !rValues.some((x) => sameValue(v, x)));
        if (lost.length > 0) {
          const subset = rValues.every((x) => wValues.some((v) => sameValue(v, x)));
          const message = `the reader does not accept the writer's values ${JSON.stringify(lost)}`;
          out.push(problem(subset ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED', at, message, JSON.stringify(lost)));
        }
      }
    }
    const both = (type: string) => admits(wTypes, type) && admits(rTypes, type);
    if (both('string')) out.push(...stringChanges(ws, rs, path));
    if (both('number') || both('integer')) out.push(...numberChanges(ws, rs, path));
    const nested = this.nested(w, r);
    if (both('object')) out.push(...objectChanges(nested, ws, rs, path));
    if (both('array')) out.push(...arrayChanges(nested, ws, rs, path, [this.#writer.draft, this.#reader.draft]));
    if (rs.not !== undefined) {
      // The reader may exclude only what the writer already excluded: the writer's `not` must read the reader's.
      const excluded = ws.not === undefined ? [] : nested(rs.not, ws.not, `${path}/not`);
      if (ws.not === undefined || excluded.length > 0) {
        out.push(problem('NOT_TYPE_EXTENDED', `${path}/not`, 'the reader excludes values the writer may write', 'not'));
      }
    }
    return out;
  }
}

function stringChanges(ws: JsonObject, rs: JsonObject, path: string): Incompatibility[] {
  const out = boundChanges(ws, rs, ['maxLength', 'minLength'], path);
  if (typeof rs.pattern === 'string' && rs.pattern !== ws.pattern) {
    const added = typeof ws.pattern !== 'string';
    const message = added ? `the reader adds pattern /${rs.pattern}/` : `the reader's pattern /${rs.pattern}/ differs`;
    out.push(problem(added ? 'PATTERN_ADDED' : 'PATTERN_CHANGED', `${path}/pattern`, message, rs.pattern));
  }
  return out;
}

function numberChanges(ws: JsonObject, rs: JsonObject, path: string): Incompatibility[] {
  const out: Incompatibility[] = [];
  const wb = numericBounds(ws);
  const rb = numericBounds(rs);
  for (const keyword of ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum']) {
    const names = BOUND_NAMES[keyword];
    if (names === undefined) continue;
    const type = tightened(wb[keyword], rb[keyword], names.upper, names);
    if (type !== undefined) {
      out.push(problem(type, `${path}/${keyword}`, `the reader's ${keyword} ${rb[keyword]} is tighter`, keyword));
    }
  }
  const wm = typeof ws.multipleOf === 'number' ? ws.multipleOf : undefined;
  const rm = typeof rs.multipleOf === 'number' ? rs.multipleOf : undefined;
  if (rm !== undefined && rm !== wm) {
    // Every multiple of the writer's divisor is one of the reader's only when the reader's divides it.
    let type: string | undefined;
    if (wm === undefined) type = 'MULTIPLE_OF_ADDED';
    else if (isMultiple(wm, rm)) type = undefined;
    else type = isMultiple(rm, wm) ? 'MULTIPLE_OF_EXPANDED' : 'MULTIPLE_OF_CHANGED';
    if (type !== undefined) {
      out.push(problem(type, `${path}/multipleOf`, `the reader requires multiples of ${rm}`, String(rm)));
    }
  }
  return out;
}

function isMultiple(value: number, divisor: number): boolean {
  const q = value / divisor;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

function combinatorOf(schema: JsonObject): Combinator | undefined {
  for (const keyword of COMBINATORS) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) return { keyword, branches };
  }
  return undefined;
}

function without(schema: JsonObject, keyword: string): JsonObject {
  const { [keyword]: _dropped, ...rest } = schema;
  return rest;
}

function distinct(branches: JsonValue[]): JsonValue[] {
  return branches.filter((b, i) => branches.findIndex((other) => sameValue(other, b)) === i);
}

/** The size of a maximum matching of writer branches to distinct reader branches (augmenting paths). */
function maxMatching(edges: readonly number[][], readers: number): number {
  const owner = new Array<number | undefined>(readers).fill(undefined);
  const augment = (left: number, seen: boolean[]): boolean => {
    for (const right of edges[left] ?? []) {
      if (seen[right]) continue;
      seen[right] = true;
      const current = owner[right];
      if (current === undefined || augment(current, seen)) {
        owner[right] = left;
        return true;
      }
    }
    return false;
  };
  return edges.filter((_, left) => augment(left, new Array<boolean>(readers).fill(false))).length;
}

function jsonType(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function describe(types: Set<string> | 'any'): string {
  return types === 'any' ? 'any' : `[${[...types].join(', ')}]`;
}
