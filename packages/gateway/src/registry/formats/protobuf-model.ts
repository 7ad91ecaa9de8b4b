/**
 * A plain model of one .proto file, the form the registry validates,
 * prints, serializes and compares. It is built from protobufjs's parse of
 * the text (or of the bundled well-known types), or from a binary
 * FileDescriptorProto (what Confluent's serializers submit, base64), so
 * both submissions of one schema end up as the same model. Field types
 * are kept as written; `resolveTypes` (protobuf.ts) fills `resolved` from
 * the file and its imports.
 */
import protobuf from 'protobufjs';

export type Syntax = 'proto2' | 'proto3';
export type Label = 'optional' | 'required' | 'repeated';

export interface ProtoOption {
  readonly name: string;
  readonly value: unknown;
}

export interface ResolvedType {
  /** Fully qualified, without the leading dot. */
  readonly name: string;
  readonly kind: 'message' | 'enum';
}

export interface ProtoField {
  readonly name: string;
  readonly number: number;
  /** Absent: proto3 implicit presence, or a oneof member. */
  readonly label: Label | undefined;
  /** A scalar name or a type name as written (shortest resolving name for descriptors); for a map, the value type. */
  type: string;
  /** Set for `map<key, type>` fields. */
  readonly mapKey: string | undefined;
  /** The (real, not synthetic) oneof this field is in. */
  readonly oneof: string | undefined;
  readonly options: readonly ProtoOption[];
  resolved?: ResolvedType;
}

export interface ProtoEnum {
  readonly name: string;
  readonly values: readonly {
    readonly name: string;
    readonly number: number;
    readonly options: readonly ProtoOption[];
  }[];
  readonly reservedRanges: readonly (readonly [number, number])[];
  readonly reservedNames: readonly string[];
  readonly options: readonly ProtoOption[];
}

export interface ProtoMessage {
  readonly name: string;
  /** Declaration order, oneof members included (see `oneof`). */
  readonly fields: readonly ProtoField[];
  readonly oneofs: readonly string[];
  /** Nested messages and enums, in declaration order (message indexes count the messages). */
  readonly nested: readonly ProtoType[];
  readonly reservedRanges: readonly (readonly [number, number])[];
  readonly reservedNames: readonly string[];
  readonly extensionRanges: readonly (readonly [number, number])[];
  readonly options: readonly ProtoOption[];
}

export type ProtoType =
  | { readonly kind: 'message'; readonly message: ProtoMessage }
  | { readonly kind: 'enum'; readonly enum: ProtoEnum };

export interface ProtoMethod {
  readonly name: string;
  readonly input: string;
  readonly output: string;
  readonly clientStreaming: boolean;
  readonly serverStreaming: boolean;
  readonly options: readonly ProtoOption[];
}

export interface ProtoService {
  readonly name: string;
  readonly methods: readonly ProtoMethod[];
  readonly options: readonly ProtoOption[];
}

export interface ProtoFile {
  readonly syntax: Syntax;
  readonly package: string;
  readonly imports: readonly string[];
  readonly publicImports: readonly string[];
  readonly weakImports: readonly string[];
  readonly options: readonly ProtoOption[];
  readonly types: readonly ProtoType[];
  readonly services: readonly ProtoService[];
}

export const SCALARS: ReadonlySet<string> = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

/** The top-level messages and nested messages of a list of types, messages only. */
export function messagesOf(types: readonly ProtoType[]): ProtoMessage[] {
  return types.flatMap((t) => (t.kind === 'message' ? [t.message] : []));
}

export function enumsOf(types: readonly ProtoType[]): ProtoEnum[] {
  return types.flatMap((t) => (t.kind === 'enum' ? [t.enum] : []));
}

function optionsOf(options: Record<string, unknown> | undefined, skip: readonly string[] = []): ProtoOption[] {
  if (options === undefined) return [];
  return Object.entries(options)
    .filter(([name]) => !skip.includes(name))
    .map(([name, value]) => ({ name, value }));
}

function splitReserved(reserved: readonly (number[] | string)[] | undefined): {
  ranges: [number, number][];
  names: string[];
} {
  const ranges: [number, number][] = [];
  const names: string[] = [];
  for (const r of reserved ?? []) {
    if (typeof r === 'string') names.push(r);
    else ranges.push([r[0] ?? 0, r[1] ?? r[0] ?? 0]);
  }
  return { ranges, names };
}

/**
 * The model of a file protobufjs parsed into its own Root. protobufjs
 * records proto3 `optional` as a synthetic oneof named `_field` with the
 * option `proto3_optional`: here that is the label `optional` and no oneof.
 */
export function fromReflection(
  root: protobuf.Root,
  pkg: string,
  syntax: Syntax,
  imports: { imports: readonly string[]; weakImports: readonly string[] },
): ProtoFile {
  const ns = pkg === '' ? root : root.lookup(pkg);
  const nested = ns instanceof protobuf.Namespace ? ns.nestedArray : [];
  const services: ProtoService[] = [];
  for (const obj of nested) {
    if (obj instanceof protobuf.Service) {
      services.push({
        name: obj.name,
        options: optionsOf(obj.options),
        methods: obj.methodsArray.map((m) => ({
          name: m.name,
          input: m.requestType,
          output: m.responseType,
          clientStreaming: m.requestStream === true,
          serverStreaming: m.responseStream === true,
          options: optionsOf(m.options),
        })),
      });
    }
  }
  const weak = new Set(imports.weakImports);
  return {
    syntax,
    package: pkg,
    imports: imports.imports.filter((i) => !weak.has(i)),
    publicImports: [],
    weakImports: [...imports.weakImports],
    options: optionsOf(ns?.options),
    types: typesOfReflection(nested, syntax),
    services,
  };
}

function typesOfReflection(nested: readonly protobuf.ReflectionObject[], syntax: Syntax): ProtoType[] {
  const out: ProtoType[] = [];
  for (const obj of nested) {
    if (obj instanceof protobuf.Type) out.push({ kind: 'message', message: messageOfReflection(obj, syntax) });
    else if (obj instanceof protobuf.Enum) out.push({ kind: 'enum', enum: enumOfReflection(obj) });
  }
  return out;
}

function messageOfReflection(type: protobuf.Type, syntax: Syntax): ProtoMessage {
  const fields: ProtoField[] = type.fieldsArray.map((f) => {
    const proto3Optional = f.options?.proto3_optional === true;
    const oneof = f.partOf !== null && f.partOf !== undefined && !proto3Optional ? f.partOf.name : undefined;
    let label: Label | undefined;
    if (f.rule === 'repeated' || f.rule === 'required') label = f.rule;
    else if (oneof === undefined && (syntax === 'proto2' || proto3Optional)) label = 'optional';
    const isMap = f instanceof protobuf.MapField;
    return {
      name: f.name,
      number: f.id,
      label: isMap ? undefined : label,
      type: f.type,
      mapKey: isMap ? (f as protobuf.MapField).keyType : undefined,
      oneof,
      options: optionsOf(f.options, ['proto3_optional']),
    };
  });
  const oneofs = type.oneofsArray
    .filter((o) => !o.fieldsArray.every((f) => f.options?.proto3_optional === true))
    .map((o) => o.name);
  const reserved = splitReserved(type.reserved as (number[] | string)[] | undefined);
  return {
    name: type.name,
    fields,
    oneofs,
    nested: typesOfReflection(type.nestedArray, syntax),
    reservedRanges: reserved.ranges,
    reservedNames: reserved.names,
    extensionRanges: (type.extensions ?? []).map((r) => [r[0] ?? 0, r[1] ?? 0] as const),
    options: optionsOf(type.options),
  };
}

function enumOfReflection(e: protobuf.Enum): ProtoEnum {
  const reserved = splitReserved(e.reserved as (number[] | string)[] | undefined);
  const valueOptions = (e.valuesOptions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return {
    name: e.name,
    values: Object.entries(e.values).map(([name, number]) => ({
      name,
      number,
      options: optionsOf(valueOptions[name]),
    })),
    reservedRanges: reserved.ranges,
    reservedNames: reserved.names,
    options: optionsOf(e.options),
  };
}
