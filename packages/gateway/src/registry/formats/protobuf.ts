/**
 * Protobuf schemas as the registry takes them: .proto text (proto2 or
 * proto3, parsed with protobufjs) or a base64 FileDescriptorProto (what
 * Confluent's serializers send), imports found among the schema's
 * references (a reference's `name` is the import path) or among Google's
 * well-known types (google/protobuf/*.proto, available without a
 * reference, as Confluent's registry has them built in). Every named field
 * type must resolve; a schema that does not parse or resolve is invalid
 * (42201). The stored form is the model printed back (protobuf-print.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { BoundedCache } from '../bounded-cache.ts';
import { fromDescriptor, toDescriptor } from './protobuf-descriptor.ts';
import {
  fromReflection,
  type ProtoEnum,
  type ProtoFile,
  type ProtoMessage,
  type ProtoType,
  SCALARS,
  type Syntax,
} from './protobuf-model.ts';
import { printProto } from './protobuf-print.ts';

/** A named type of a schema or of one of its imports. */
export interface TypeInfo {
  readonly fullName: string;
  /** The package of the file that defines it. */
  readonly package: string;
  readonly type: ProtoType;
}

/** A schema with its imports, every field type resolved. */
export interface LoadedProto {
  readonly file: ProtoFile;
  /** Every visible named type by full name (no leading dot): the file's own and its imports'. */
  readonly types: ReadonlyMap<string, TypeInfo>;
}

/** Parses .proto text into the model; throws with protobufjs's message when it does not parse. */
export function parseProtoText(text: string): ProtoFile {
  const root = new protobuf.Root();
  const parsed = protobuf.parse(text, root, { keepCase: true });
  const syntax = syntaxOf(text);
  return fromReflection(root, parsed.package ?? '', syntax, {
    imports: parsed.imports ?? [],
    weakImports: parsed.weakImports ?? [],
  });
}

/**
 * The file's syntax statement, read with protobufjs's tokenizer (comments
 * skipped): protobufjs keeps it only on the types it creates, and a file
 * may define none. No statement is proto2; editions are not supported.
 */
function syntaxOf(text: string): Syntax {
  const tokens = protobuf.tokenize(text, false);
  const first = tokens.next();
  if (first !== 'syntax' && first !== 'edition') return 'proto2';
  if (tokens.next() !== '=') throw new Error(`'=' expected after ${first}`);
  tokens.next(); // the opening quote
  const value = tokens.next();
  if (first === 'edition') throw new Error(`editions (edition = "${value}") are not supported`);
  if (value !== 'proto2' && value !== 'proto3') throw new Error(`unknown syntax "${value}"`);
  return value;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

/** The model of a submitted schema: text first, then (as Confluent does) a base64 FileDescriptorProto. */
export function decodeProto(text: string): { file: ProtoFile; serialized: boolean } {
  try {
    return { file: parseProtoText(text), serialized: false };
  } catch (error) {
    if (BASE64.test(text)) {
      try {
        return { file: fromDescriptor(Buffer.from(text, 'base64')), serialized: true };
      } catch {
        // Neither form: the text parser's message says more.
      }
    }
    throw error;
  }
}

let wellKnownFiles: Map<string, ProtoFile> | undefined;

/** google/protobuf/*.proto, from protobufjs's bundled definitions. */
export function wellKnownTypes(): ReadonlyMap<string, ProtoFile> {
  if (wellKnownFiles !== undefined) return wellKnownFiles;
  const files = new Map<string, ProtoFile>();
  const common = protobuf.common as unknown as Record<string, unknown>;
  for (const [path, json] of Object.entries(common)) {
    if (!path.startsWith('google/protobuf/') || typeof json !== 'object' || json === null) continue;
    const root = protobuf.Root.fromJSON(json as protobuf.INamespace);
    files.set(path, fromReflection(root, 'google.protobuf', 'proto3', { imports: [], weakImports: [] }));
  }
  const require = createRequire(import.meta.url);
  for (const name of ['api', 'type', 'source_context', 'descriptor']) {
    const path = `google/protobuf/${name}.proto`;
    files.set(path, parseProtoText(readFileSync(require.resolve(`protobufjs/${path}`), 'utf8')));
  }
  wellKnownFiles = files;
  return files;
}

// Loaded schemas by text and imports: a registration parses the candidate to identify it and again to check it,
// and loads the subject's earlier versions, the same texts over and over. A loaded schema is not changed after.
const loaded = new BoundedCache<string, LoadedProto>(512);

/**
 * Loads `text` with its imports (`imports`: import path → stored text of
 * the referenced schema, the references' own references included) and
 * resolves every type name. Throws an Error saying what is wrong.
 */
export function loadProtobuf(text: string, imports: ReadonlyMap<string, string>): LoadedProto {
  return loaded.getOrCreate(JSON.stringify([text, ...imports]), () => load(text, imports));
}

function load(text: string, imports: ReadonlyMap<string, string>): LoadedProto {
  const { file, serialized } = decodeProto(text);
  const types = new Map<string, TypeInfo>();
  const seen = new Set<string>();
  const visit = (f: ProtoFile): void => {
    for (const path of [...f.imports, ...f.publicImports, ...f.weakImports]) {
      if (seen.has(path)) continue;
      seen.add(path);
      const known = wellKnownTypes().get(path);
      const source = imports.get(path);
      let dep: ProtoFile;
      if (source !== undefined) dep = decodeProto(source).file;
      else if (known !== undefined) dep = known;
      else throw new Error(`import "${path}" is not a reference of the schema nor a well-known type`);
      collect(types, dep);
      visit(dep);
    }
  };
  collect(types, file);
  visit(file);
  resolveFile(file, types, serialized);
  return { file, types };
}

function collect(into: Map<string, TypeInfo>, file: ProtoFile): void {
  const walk = (list: readonly ProtoType[], prefix: string): void => {
    for (const type of list) {
      const name = type.kind === 'message' ? type.message.name : type.enum.name;
      const fullName = prefix === '' ? name : `${prefix}.${name}`;
      into.set(fullName, { fullName, package: file.package, type });
      if (type.kind === 'message') walk(type.message.nested, fullName);
    }
  };
  walk(file.types, file.package);
}

/** Protobuf's scoping: a relative name is looked up from the innermost scope outwards. */
export function resolveName(name: string, scope: string, types: ReadonlyMap<string, TypeInfo>): TypeInfo | undefined {
  if (name.startsWith('.')) return types.get(name.slice(1));
  const parts = scope === '' ? [] : scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), name].join('.');
    const found = types.get(candidate);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The shortest name that resolves to `fullName` from `scope`: how a person writes it in .proto text. */
function shortestName(fullName: string, scope: string, types: ReadonlyMap<string, TypeInfo>): string {
  const parts = fullName.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const candidate = parts.slice(i).join('.');
    if (resolveName(candidate, scope, types)?.fullName === fullName) return candidate;
  }
  return fullName;
}

/**
 * Resolves every field type (42201 when one is missing). A descriptor
 * names types in full; `shorten` rewrites them the way .proto text
 * usually does, so a schema sent as text and as a descriptor print alike.
 */
function resolveFile(file: ProtoFile, types: ReadonlyMap<string, TypeInfo>, shorten: boolean): void {
  const message = (m: ProtoMessage, scope: string): void => {
    const own = `${scope === '' ? '' : `${scope}.`}${m.name}`;
    const names = new Set<string>();
    for (const f of m.fields) {
      if (names.has(f.name)) throw new Error(`duplicate field name ${f.name} in ${own}`);
      names.add(f.name);
      if (f.mapKey !== undefined && (!SCALARS.has(f.mapKey) || ['double', 'float', 'bytes'].includes(f.mapKey))) {
        throw new Error(`invalid map key type ${f.mapKey} for field ${own}.${f.name}`);
      }
      if (SCALARS.has(f.type)) continue;
      const found = resolveName(f.type, own, types);
      if (found === undefined) throw new Error(`type ${f.type} of field ${own}.${f.name} is not defined`);
      f.resolved = { name: found.fullName, kind: found.type.kind };
      if (shorten) f.type = shortestName(found.fullName, own, types);
    }
    for (const t of m.nested) if (t.kind === 'message') message(t.message, own);
    for (const t of m.nested) if (t.kind === 'enum') checkEnum(t.enum, file.syntax, `${own}.${t.enum.name}`);
  };
  for (const t of file.types) {
    if (t.kind === 'message') message(t.message, file.package);
    else checkEnum(t.enum, file.syntax, t.enum.name);
  }
  for (const s of file.services) {
    for (const m of s.methods) {
      for (const name of [m.input, m.output]) {
        if (resolveName(name, file.package, types)?.type.kind !== 'message') {
          throw new Error(`type ${name} of rpc ${s.name}.${m.name} is not a message`);
        }
      }
    }
  }
}

function checkEnum(e: ProtoEnum, syntax: Syntax, where: string): void {
  if (e.values.length === 0) throw new Error(`enum ${where} has no values`);
  if (syntax === 'proto3' && e.values[0]?.number !== 0)
    throw new Error(`the first value of proto3 enum ${where} must be 0`);
}

/** The stored form of a submitted Protobuf schema, or why it is invalid. */
export function parseProtobuf(
  text: string,
  imports: ReadonlyMap<string, string>,
): { ok: true; schema: string } | { ok: false; message: string } {
  try {
    return { ok: true, schema: printProto(loadProtobuf(text, imports).file) };
  } catch (error) {
    return { ok: false, message: `Invalid schema: ${(error as Error).message}` };
  }
}

/**
 * The schema as a base64 FileDescriptorProto (GET ...?format=serialized).
 * The descriptor is named after the schema's first message, as a file
 * name, since the text does not carry its original file name.
 */
export function serializeProtobuf(text: string, imports: ReadonlyMap<string, string>): string {
  const { file } = loadProtobuf(text, imports);
  const first = file.types[0];
  const name = first === undefined ? 'schema' : first.kind === 'message' ? first.message.name : first.enum.name;
  return Buffer.from(toDescriptor(file, `${name}.proto`)).toString('base64');
}
