/**
 * The two texts Confluent's registry stores for an Avro schema, so that a
 * `_schemas` topic written here is byte for byte what Confluent writes and
 * the same schema gets the same identity on either side:
 *
 * - `avroCanonicalForm`: what Java Avro's `Schema.toString()` prints
 *   (Confluent stores that for every registration): attributes in Java's
 *   order (`type`, `name`, `namespace` only where it differs from the
 *   enclosing one, `doc`, `fields`/`symbols`/`size`, other properties in
 *   their source order, `aliases`), a primitive without properties as a
 *   bare string, a named type defined once and then referred to by its name
 *   relative to the enclosing namespace, and JSON numbers as Jackson prints
 *   them (`0.0` stays `0.0`, `1e3` is `1000.0`).
 * - `avroNormalizedForm`: what Confluent stores when asked to `normalize`:
 *   full names (no `namespace`), `name` before `type`, aliases sorted,
 *   properties sorted by key, references' top-level types by name only.
 *
 * Both take a schema avsc already accepted (schema-formats.ts), and the
 * texts of its references, whose named types it may use. Details and
 * sources: README.md ("Facts: Avro canonical text").
 */

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const schemaReserved = new Set([
  'doc',
  'fields',
  'items',
  'name',
  'namespace',
  'size',
  'symbols',
  'values',
  'type',
  'aliases',
]);
const enumReserved = new Set([...schemaReserved, 'default']);
const fieldReserved = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

/** A JSON number with its source text: Jackson prints `1.0` and `1` differently, JavaScript numbers cannot. */
class JsonNumber {
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }
}
type Json = null | boolean | string | JsonNumber | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function avroCanonicalForm(schema: string, referenced: readonly string[]): string {
  const context = new Context(referenced);
  const root = parseKeepingNumbers(schema);
  context.collect(root, null);
  return new CanonicalWriter(context).write(root, null);
}

export function avroNormalizedForm(schema: string, referenced: readonly string[]): string {
  const context = new Context(referenced);
  const root = parseKeepingNumbers(schema);
  context.collect(root, null);
  return new NormalizedWriter(context).write(root, null);
}

/** Named-type definitions (the schema's and its references'), by full name, and the full name of each definition. */
class Context {
  readonly definitions = new Map<string, JsonObject>();
  readonly fullNames = new Map<JsonObject, string>();
  /** Only the references' top-level types are known by name before writing, as in Confluent's code. */
  readonly referencedTopLevel: string[] = [];

  constructor(referenced: readonly string[]) {
    for (const text of referenced) {
      const root = parseKeepingNumbers(text);
      this.collect(root, null);
      if (isObject(root) && this.fullNames.has(root)) this.referencedTopLevel.push(this.fullNames.get(root) ?? '');
    }
  }

  /** Records every named type under its full name, resolving names against the enclosing namespace. */
  collect(node: Json, space: string | null): void {
    if (Array.isArray(node)) {
      for (const branch of node) this.collect(branch, space);
      return;
    }
    if (!isObject(node)) return;
    const type = node.type;
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const full = resolveName(
        String(node.name),
        typeof node.namespace === 'string' ? node.namespace : undefined,
        space,
      );
      this.fullNames.set(node, full);
      this.definitions.set(full, node);
      const inner = spaceOf(full);
      if (Array.isArray(node.fields)) {
        for (const field of node.fields) if (isObject(field)) this.collect(field.type ?? null, inner);
      }
      return;
    }
    if (type === 'array') this.collect(node.items ?? null, space);
    else if (type === 'map') this.collect(node.values ?? null, space);
    else if (typeof type === 'object') this.collect(type, space);
  }

  /** The full name a type reference names from inside `space` (a name without a dot is relative to it). */
  resolveReference(name: string, space: string | null): string {
    if (name.includes('.')) return name;
    const relative = space === null ? name : `${space}.${name}`;
    return this.definitions.has(relative) ? relative : name;
  }
}

/** Java Avro's Schema.toString(). */
class CanonicalWriter {
  readonly #context: Context;
  readonly #written = new Set<string>();

  constructor(context: Context) {
    this.#context = context;
    for (const name of context.referencedTopLevel) this.#written.add(name);
  }

  write(node: Json, space: string | null): string {
    if (typeof node === 'string') return primitives.has(node) ? quote(node) : this.#reference(node, space);
    if (Array.isArray(node)) return `[${node.map((branch) => this.write(branch, space)).join(',')}]`;
    if (!isObject(node)) return jacksonJson(node);
    const type = node.type;
    if (typeof type === 'string' && primitives.has(type)) {
      const props = properties(node, schemaReserved);
      return props.length === 0 ? quote(type) : `{"type":${quote(type)}${props.join('')}}`;
    }
    if (type === 'array' || type === 'map') {
      const child = type === 'array' ? 'items' : 'values';
      const props = properties(node, schemaReserved).join('');
      return `{"type":"${type}","${child}":${this.write(node[child] ?? null, space)}${props}}`;
    }
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') return this.#named(node, space);
    return this.write(type ?? null, space);
  }

  #reference(name: string, space: string | null): string {
    const full = this.#context.resolveReference(name, space);
    if (this.#written.has(full)) return quote(qualified(full, space));
    // A type defined inside a referenced schema but not its top-level one: Java writes its definition here.
    const definition = this.#context.definitions.get(full);
    return definition === undefined ? quote(qualified(full, space)) : this.#named(definition, space);
  }

  #named(node: JsonObject, space: string | null): string {
    const full = this.#context.fullNames.get(node) ?? String(node.name);
    if (this.#written.has(full)) return quote(qualified(full, space));
    this.#written.add(full);
    const own = spaceOf(full);
    let out = `{"type":${quote(String(node.type))},"name":${quote(shortName(full))}`;
    if (own !== space) out += `,"namespace":${quote(own ?? '')}`;
    if (typeof node.doc === 'string') out += `,"doc":${quote(node.doc)}`;
    if (node.type === 'enum') {
      out += `,"symbols":${jacksonJson(node.symbols ?? [])}`;
      if (typeof node.default === 'string') out += `,"default":${quote(node.default)}`;
    } else if (node.type === 'fixed') {
      out += `,"size":${jacksonJson(node.size ?? null)}`;
    } else {
      const fields = Array.isArray(node.fields) ? node.fields.filter(isObject) : [];
      out += `,"fields":[${fields.map((field) => this.#field(field, own)).join(',')}]`;
    }
    out += properties(node, node.type === 'enum' ? enumReserved : schemaReserved).join('');
    const aliases = stringList(node.aliases).map((alias) => qualified(aliasFullName(alias, own), own));
    if (aliases.length > 0) out += `,"aliases":${jacksonJson([...new Set(aliases)])}`;
    return `${out}}`;
  }

  #field(field: JsonObject, space: string | null): string {
    let out = `{"name":${quote(String(field.name))},"type":${this.write(field.type ?? null, space)}`;
    if (typeof field.doc === 'string') out += `,"doc":${quote(field.doc)}`;
    if ('default' in field) out += `,"default":${jacksonJson(field.default ?? null)}`;
    const order = typeof field.order === 'string' ? field.order.toLowerCase() : 'ascending';
    if (order !== 'ascending') out += `,"order":${quote(order)}`;
    const aliases = [...new Set(stringList(field.aliases))];
    if (aliases.length > 0) out += `,"aliases":${jacksonJson(aliases)}`;
    return `${out}${properties(field, fieldReserved).join('')}}`;
  }
}

/** Confluent's normalized form (its AvroSchemaUtils.toNormalizedString). */
class NormalizedWriter {
  readonly #context: Context;
  readonly #written = new Set<string>();

  constructor(context: Context) {
    this.#context = context;
    for (const name of context.referencedTopLevel) this.#written.add(name);
  }

  write(node: Json, space: string | null): string {
    if (typeof node === 'string') {
      if (primitives.has(node)) return quote(node);
      const full = this.#context.resolveReference(node, space);
      const definition = this.#context.definitions.get(full);
      return this.#written.has(full) || definition === undefined ? quote(full) : this.#named(definition);
    }
    if (Array.isArray(node)) return `[${node.map((branch) => this.write(branch, space)).join(',')}]`;
    if (!isObject(node)) return jacksonJson(node);
    const type = node.type;
    if (typeof type === 'string' && primitives.has(type)) {
      const logical = logicalProperties(node);
      const rest = sortedProperties(node, new Set([...schemaReserved, ...logical.keys]));
      if (logical.text === '' && rest === '') return quote(type);
      return `{"type":${quote(type)}${logical.text}${rest}}`;
    }
    if (type === 'array' || type === 'map') {
      const child = type === 'array' ? 'items' : 'values';
      return `{"type":"${type}","${child}":${this.write(node[child] ?? null, space)}${sortedProperties(node, schemaReserved)}}`;
    }
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const full = this.#context.fullNames.get(node) ?? String(node.name);
      return this.#written.has(full) ? quote(full) : this.#named(node);
    }
    return this.write(type ?? null, space);
  }

  #named(node: JsonObject): string {
    const full = this.#context.fullNames.get(node) ?? String(node.name);
    this.#written.add(full);
    const own = spaceOf(full);
    let out = `{"name":${quote(full)},"type":${quote(String(node.type))}`;
    let skip = node.type === 'enum' ? enumReserved : schemaReserved;
    if (node.type === 'enum') {
      out += `,"symbols":${jacksonJson(node.symbols ?? [])}`;
    } else if (node.type === 'fixed') {
      out += `,"size":${jacksonJson(node.size ?? null)}`;
      const logical = logicalProperties(node);
      out += logical.text;
      skip = new Set([...skip, ...logical.keys]);
    } else {
      const fields = Array.isArray(node.fields) ? node.fields.filter(isObject) : [];
      out += `,"fields":[${fields.map((field) => this.#field(field, own)).join(',')}]`;
    }
    if (typeof node.doc === 'string' && node.doc !== '') out += `,"doc":${quote(node.doc)}`;
    const aliases = stringList(node.aliases).map((alias) => aliasFullName(alias, own));
    if (aliases.length > 0) out += `,"aliases":${jacksonJson([...new Set(aliases)].sort())}`;
    if (node.type === 'enum' && typeof node.default === 'string') out += `,"default":${quote(node.default)}`;
    return `${out}${sortedProperties(node, skip)}}`;
  }

  #field(field: JsonObject, space: string | null): string {
    const order = typeof field.order === 'string' ? field.order.toUpperCase() : 'ASCENDING';
    let out = `{"name":${quote(String(field.name))},"type":${this.write(field.type ?? null, space)}`;
    // Confluent writes the order of every field, by its Java enum name.
    out += `,"order":${quote(order)}`;
    if (typeof field.doc === 'string') out += `,"doc":${quote(field.doc)}`;
    const aliases = [...new Set(stringList(field.aliases))].sort();
    if (aliases.length > 0) out += `,"aliases":${jacksonJson(aliases)}`;
    if ('default' in field) out += `,"default":${defaultFor(field.default ?? null, field.type ?? null)}`;
    return `${out}${sortedProperties(field, fieldReserved)}}`;
  }
}

/** logicalType first, then a decimal's precision and scale (scale only when not 0), as Confluent writes them. */
function logicalProperties(node: JsonObject): { text: string; keys: string[] } {
  if (typeof node.logicalType !== 'string') return { text: '', keys: [] };
  let text = `,"logicalType":${quote(node.logicalType)}`;
  if (node.logicalType !== 'decimal') return { text, keys: ['logicalType'] };
  text += `,"precision":${jacksonJson(node.precision ?? null)}`;
  const scale = node.scale instanceof JsonNumber ? Number(node.scale.source) : 0;
  if (scale !== 0) text += `,"scale":${jacksonJson(node.scale ?? null)}`;
  return { text, keys: ['logicalType', 'precision', 'scale'] };
}

/** A field default as Java converts it to the field's type first: a double or float default prints with a fraction. */
function defaultFor(value: Json, type: Json): string {
  const target = Array.isArray(type) ? (type[0] ?? null) : isObject(type) ? (type.type ?? null) : type;
  if (value instanceof JsonNumber && (target === 'double' || target === 'float'))
    return javaDouble(Number(value.source));
  if (value instanceof JsonNumber && (target === 'int' || target === 'long'))
    return String(BigInt(Math.trunc(Number(value.source))));
  return jacksonJson(value);
}

function properties(node: JsonObject, reserved: ReadonlySet<string>): string[] {
  return Object.entries(node)
    .filter(([key]) => !reserved.has(key))
    .map(([key, value]) => `,${quote(key)}:${jacksonJson(value)}`);
}

function sortedProperties(node: JsonObject, reserved: ReadonlySet<string>): string {
  return Object.keys(node)
    .filter((key) => !reserved.has(key))
    .sort()
    .map((key) => `,${quote(key)}:${jacksonJson(node[key] ?? null)}`)
    .join('');
}

/** JSON as Jackson prints a parsed tree: key order kept, numbers in Java's forms, \u escapes in upper-case hex. */
export function jacksonJson(value: Json): string {
  if (value instanceof JsonNumber) return javaNumber(value.source);
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(jacksonJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${quote(key)}:${jacksonJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function quote(text: string): string {
  return JSON.stringify(text).replace(/\\u([0-9a-f]{4})/g, (_all, hex: string) => `\\u${hex.toUpperCase()}`);
}

/** An integer lexeme stays an integer (any size); a fraction or exponent makes a Java double. */
function javaNumber(source: string): string {
  return /[.eE]/.test(source) ? javaDouble(Number(source)) : BigInt(source).toString();
}

/** Java's Double.toString: plain decimal with at least one fraction digit in [1e-3, 1e7), else d.dddE±n. */
export function javaDouble(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

function parseKeepingNumbers(text: string): Json {
  // The reviver's third argument carries a primitive's source text (Node 21+), so numbers keep their lexeme.
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === 'number' ? new JsonNumber(context?.source ?? String(value)) : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as Json;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

function stringList(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A name with a dot is full; otherwise it takes the explicit namespace, else the enclosing one. */
function resolveName(name: string, namespace: string | undefined, enclosing: string | null): string {
  if (name.includes('.')) return name;
  const space = namespace !== undefined ? namespace : enclosing;
  return space === null || space === '' ? name : `${space}.${name}`;
}

function aliasFullName(alias: string, space: string | null): string {
  return alias.includes('.') || space === null ? alias : `${space}.${alias}`;
}

function spaceOf(full: string): string | null {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? null : full.slice(0, dot);
}

function shortName(full: string): string {
  return full.slice(full.lastIndexOf('.') + 1);
}

/** The name as Java writes a reference: short inside its own namespace (unless it reads as a primitive), else full. */
function qualified(full: string, space: string | null): string {
  const own = spaceOf(full);
  const short = shortName(full);
  return own !== null && own === space && !primitives.has(short) ? short : full;
}

/**
 * Confluent's normalized Avro text names every field's order in upper case (Java's enum name), which Java's
 * parser accepts and avsc does not: the compatibility check reads stored texts in the spelling avsc takes.
 */
export function avscOrderSpelling(text: string): string {
  return text.replace(
    /"order":"(ASCENDING|DESCENDING|IGNORE)"/g,
    (_all, order: string) => `"order":"${order.toLowerCase()}"`,
  );
}
