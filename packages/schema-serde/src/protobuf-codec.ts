/**
 * Protobuf with protobufjs. The registry serves a schema as .proto text; the
 * files it imports are its references (parsed into the same root first) or
 * Google's well-known types (bundled with protobufjs). A record names its
 * message by an index path into the schema's own file (wire-format.ts), so
 * the file is also parsed alone to see its messages in declaration order.
 *
 * Field names stay as written in the .proto (`keepCase`). The JSON form is
 * protobufjs's object form: 64-bit integers as strings, enums by name,
 * bytes as base64.
 *
 * Limitation: protobufjs does not keep map fields' entry messages, which
 * protoc counts among a message's nested messages; index paths into a
 * message that declares nested messages after a map field may differ.
 */
import protobuf from 'protobufjs';
import type { ResolvedSchema, ValueCodec } from './schema.ts';
import { SerdeError } from './serde-error.ts';

export interface ProtobufSchema {
  /** The index path of the message called `name` (full or relative name), or of the file's first message. */
  indexesOf(name?: string): number[];
  /** The codec of the message at `indexes`; a SerdeError when they name none. */
  codecAt(indexes: readonly number[]): ValueCodec;
}

const parseOptions = { keepCase: true };

export function compileProtobuf(resolved: ResolvedSchema): ProtobufSchema {
  const own = parseAlone(resolved.schema.schema);
  const root = new protobuf.Root();
  const imports = new Set<string>();
  const provided = new Set<string>();
  for (const { name, schema } of resolved.referenced) {
    provided.add(name);
    collect(imports, parseInto(schema.schema, root, `referenced schema ${name}`).imports);
  }
  collect(imports, parseInto(resolved.schema.schema, root, 'schema').imports);
  for (const file of imports) {
    if (provided.has(file)) continue;
    const wellKnown = protobuf.common.get(file);
    if (wellKnown === null)
      throw new SerdeError(`the schema imports "${file}", which is neither a reference nor well-known`);
    root.addJSON(wellKnown.nested ?? {});
  }
  try {
    root.resolveAll();
  } catch (error) {
    throw new SerdeError(`the Protobuf schema does not resolve: ${(error as Error).message}`);
  }
  const codecs = new Map<string, ValueCodec>();
  return {
    indexesOf(name) {
      const found = name === undefined ? firstMessage(own) : findMessage(own, name);
      if (found === undefined) throw new SerdeError(`the schema defines no message ${name ?? ''}`.trimEnd());
      return found;
    },
    codecAt(indexes) {
      const key = indexes.join('.');
      let codec = codecs.get(key);
      if (codec === undefined) {
        const type = root.lookupType(messageAt(own, indexes).fullName.replace(/^\./, ''));
        codec = messageCodec(type);
        codecs.set(key, codec);
      }
      return codec;
    },
  };
}

function messageCodec(type: protobuf.Type): ValueCodec {
  return {
    encode(value) {
      if (value instanceof protobuf.Message) return Buffer.from(type.encode(value).finish());
      const problem = type.verify(value as Record<string, unknown>);
      if (problem !== null) throw new SerdeError(`not valid for ${type.fullName.slice(1)}: ${problem}`);
      return Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish());
    },
    decode(payload) {
      try {
        return type.decode(payload);
      } catch (error) {
        throw new SerdeError(`the payload is not a ${type.fullName.slice(1)}: ${(error as Error).message}`);
      }
    },
    fromJson(text) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new SerdeError(`not JSON: ${(error as Error).message}`);
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new SerdeError(`a ${type.fullName.slice(1)} is a JSON object`);
      }
      const unknown = Object.keys(json).filter((key) => type.fields[key] === undefined);
      if (unknown.length > 0) throw new SerdeError(`${type.fullName.slice(1)} has no field ${unknown.join(', ')}`);
      try {
        return type.fromObject(json as Record<string, unknown>);
      } catch (error) {
        throw new SerdeError(`not a ${type.fullName.slice(1)}: ${(error as Error).message}`);
      }
    },
    toJson(value) {
      const message = value instanceof protobuf.Message ? value : type.fromObject(value as Record<string, unknown>);
      return JSON.stringify(type.toObject(message, { longs: String, enums: String, bytes: String, json: true }));
    },
  };
}

/** The file's own messages, top-level first in declaration order. */
interface FileMessages {
  top: protobuf.Type[];
}

function parseAlone(text: string): FileMessages {
  const root = new protobuf.Root();
  const parsed = parseInto(text, root, 'schema');
  const scope = parsed.package === undefined ? root : root.lookup(parsed.package);
  return { top: scope instanceof protobuf.Namespace ? messagesOf(scope) : [] };
}

function parseInto(text: string, root: protobuf.Root, what: string): protobuf.IParserResult {
  try {
    return protobuf.parse(text, root, parseOptions);
  } catch (error) {
    throw new SerdeError(`the ${what} is not valid Protobuf: ${(error as Error).message}`);
  }
}

function collect(into: Set<string>, files: readonly string[] | undefined): void {
  for (const file of files ?? []) into.add(file);
}

function messagesOf(scope: protobuf.NamespaceBase): protobuf.Type[] {
  return scope.nestedArray.filter((nested): nested is protobuf.Type => nested instanceof protobuf.Type);
}

function firstMessage(file: FileMessages): number[] | undefined {
  return file.top.length > 0 ? [0] : undefined;
}

/** The index path of a message by full name, else by a name relative to any scope (`Line`, `Sheet.Line`). */
function findMessage(file: FileMessages, name: string): number[] | undefined {
  const wanted = name.replace(/^\./, '');
  const search = (matches: (full: string) => boolean): number[] | undefined => {
    const walk = (types: readonly protobuf.Type[], path: number[]): number[] | undefined => {
      for (const [i, type] of types.entries()) {
        if (matches(type.fullName.replace(/^\./, ''))) return [...path, i];
        const inner = walk(messagesOf(type), [...path, i]);
        if (inner !== undefined) return inner;
      }
      return undefined;
    };
    return walk(file.top, []);
  };
  return search((full) => full === wanted) ?? search((full) => full.endsWith(`.${wanted}`));
}

function messageAt(file: FileMessages, indexes: readonly number[]): protobuf.Type {
  let types = file.top;
  let found: protobuf.Type | undefined;
  for (const index of indexes) {
    found = types[index];
    if (found === undefined)
      throw new SerdeError(`message indexes [${indexes.join(', ')}] name no message of the schema`);
    types = messagesOf(found);
  }
  if (found === undefined) throw new SerdeError('an empty message index path names no message');
  return found;
}
