/**
 * The model and a binary FileDescriptorProto (google/protobuf/descriptor.proto),
 * both ways, with protobufjs's descriptor types. Confluent's serializers
 * submit a schema as a base64 FileDescriptorProto and ask for it back with
 * `format=serialized`. Maps are descriptors' synthetic `…Entry` messages
 * (option map_entry) and proto3 `optional` their synthetic `_name` oneofs,
 * as protoc writes them; the model has neither.
 */
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import type * as DescriptorTypes from 'protobufjs/ext/descriptor.js';
import {
  type Label,
  type ProtoEnum,
  type ProtoField,
  type ProtoFile,
  type ProtoMessage,
  type ProtoOption,
  type ProtoType,
  SCALARS,
} from './protobuf-model.ts';

type Obj = Record<string, unknown>;

// The module is CommonJS: its types are named exports, its value the default export.
const descriptor = descriptorModule as unknown as typeof DescriptorTypes;

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

function optionsFrom(options: unknown): ProtoOption[] {
  if (typeof options !== 'object' || options === null) return [];
  return Object.entries(options as Obj)
    .filter(([name]) => name !== 'uninterpretedOption' && name !== 'mapEntry' && name !== 'features')
    .map(([name, value]) => ({ name: snake(name), value }));
}

/** The options the descriptor type knows (custom options have no place in it here). */
function optionsTo(options: readonly ProtoOption[], type: { fields: Record<string, unknown> }): Obj | undefined {
  const out: Obj = {};
  for (const o of options) {
    const key = camel(o.name);
    if (key in type.fields) out[key] = o.value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Decodes a FileDescriptorProto; throws when the bytes are not one. */
export function fromDescriptor(bytes: Uint8Array): ProtoFile {
  const file = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes), {
    enums: String,
    longs: Number,
  }) as Obj;
  const syntax = file.syntax === 'proto3' ? 'proto3' : 'proto2';
  if (file.syntax !== undefined && file.syntax !== '' && file.syntax !== 'proto2' && file.syntax !== 'proto3') {
    throw new Error(`unsupported syntax ${String(file.syntax)}`);
  }
  const deps = (file.dependency as string[] | undefined) ?? [];
  const publicIdx = new Set((file.publicDependency as number[] | undefined) ?? []);
  const weakIdx = new Set((file.weakDependency as number[] | undefined) ?? []);
  const pkg = typeof file.package === 'string' ? file.package : '';
  return {
    syntax,
    package: pkg,
    imports: deps.filter((_, i) => !publicIdx.has(i) && !weakIdx.has(i)),
    publicImports: deps.filter((_, i) => publicIdx.has(i)),
    weakImports: deps.filter((_, i) => weakIdx.has(i)),
    options: optionsFrom(file.options),
    types: [
      ...list(file.messageType).map((m) => ({ kind: 'message' as const, message: messageFrom(m, syntax, pkg) })),
      ...list(file.enumType).map((e) => ({ kind: 'enum' as const, enum: enumFrom(e) })),
    ],
    services: list(file.service).map((s) => ({
      name: String(s.name),
      options: optionsFrom(s.options),
      methods: list(s.method).map((m) => ({
        name: String(m.name),
        input: typeName(String(m.inputType), pkg),
        output: typeName(String(m.outputType), pkg),
        clientStreaming: m.clientStreaming === true,
        serverStreaming: m.serverStreaming === true,
        options: optionsFrom(m.options),
      })),
    })),
  };
}

/** A descriptor's fully qualified `.pkg.Type` as a name relative to the file's package. */
function typeName(name: string, pkg: string): string {
  const bare = name.startsWith('.') ? name.slice(1) : name;
  return pkg !== '' && bare.startsWith(`${pkg}.`) ? bare.slice(pkg.length + 1) : bare;
}

const SCALAR_OF_TYPE: Readonly<Record<string, string>> = Object.fromEntries(
  [...SCALARS].map((s) => [`TYPE_${s.toUpperCase()}`, s]),
);

function messageFrom(m: Obj, syntax: string, pkg: string): ProtoMessage {
  const nestedAll = list(m.nestedType);
  const entries = new Map<string, Obj>();
  for (const n of nestedAll) {
    if ((n.options as Obj | undefined)?.mapEntry === true) entries.set(String(n.name), n);
  }
  const oneofDecls = list(m.oneofDecl);
  const syntheticOneofs = new Set<number>();
  for (const f of list(m.field)) if (f.proto3Optional === true) syntheticOneofs.add(Number(f.oneofIndex));
  const fieldType = (f: Obj): string => SCALAR_OF_TYPE[String(f.type)] ?? typeName(String(f.typeName), pkg);
  const fields: ProtoField[] = list(m.field).map((f) => {
    const entryName =
      String(f.typeName ?? '')
        .split('.')
        .pop() ?? '';
    const entry = f.type === 'TYPE_MESSAGE' && f.label === 'LABEL_REPEATED' ? entries.get(entryName) : undefined;
    const inOneof = f.oneofIndex !== undefined && !syntheticOneofs.has(Number(f.oneofIndex));
    let label: Label | undefined;
    if (f.label === 'LABEL_REPEATED') label = 'repeated';
    else if (f.label === 'LABEL_REQUIRED') label = 'required';
    else if (!inOneof && (syntax === 'proto2' || f.proto3Optional === true)) label = 'optional';
    const options = optionsFrom(f.options);
    if (typeof f.defaultValue === 'string') options.push({ name: 'default', value: f.defaultValue });
    if (typeof f.jsonName === 'string' && f.jsonName !== defaultJsonName(String(f.name))) {
      options.push({ name: 'json_name', value: f.jsonName });
    }
    if (entry !== undefined) {
      const [key, value] = [
        list(entry.field).find((e) => e.number === 1),
        list(entry.field).find((e) => e.number === 2),
      ];
      return {
        name: String(f.name),
        number: Number(f.number),
        label: undefined,
        type: value === undefined ? 'bytes' : fieldType(value),
        mapKey: key === undefined ? 'string' : fieldType(key),
        oneof: undefined,
        options,
      };
    }
    return {
      name: String(f.name),
      number: Number(f.number),
      label,
      type: fieldType(f),
      mapKey: undefined,
      oneof: inOneof ? String(oneofDecls[Number(f.oneofIndex)]?.name) : undefined,
      options,
    };
  });
  // Nested messages keep their order among themselves (message indexes); enums follow them.
  const nested: ProtoType[] = [
    ...nestedAll
      .filter((n) => !entries.has(String(n.name)))
      .map((n) => ({ kind: 'message' as const, message: messageFrom(n, syntax, pkg) })),
    ...list(m.enumType).map((e) => ({ kind: 'enum' as const, enum: enumFrom(e) })),
  ];
  return {
    name: String(m.name),
    fields,
    oneofs: oneofDecls.filter((_, i) => !syntheticOneofs.has(i)).map((o) => String(o.name)),
    nested,
    // Descriptors' reserved and extension ranges end exclusively; the model's (like .proto text) inclusively.
    reservedRanges: list(m.reservedRange).map((r) => [Number(r.start), Number(r.end) - 1] as const),
    reservedNames: ((m.reservedName as string[] | undefined) ?? []).slice(),
    extensionRanges: list(m.extensionRange).map((r) => [Number(r.start), Number(r.end) - 1] as const),
    options: optionsFrom(m.options),
  };
}

function enumFrom(e: Obj): ProtoEnum {
  return {
    name: String(e.name),
    values: list(e.value).map((v) => ({
      name: String(v.name),
      number: Number(v.number ?? 0),
      options: optionsFrom(v.options),
    })),
    // Enum reserved ranges end inclusively in descriptors too.
    reservedRanges: list(e.reservedRange).map((r) => [Number(r.start), Number(r.end)] as const),
    reservedNames: ((e.reservedName as string[] | undefined) ?? []).slice(),
    options: optionsFrom(e.options),
  };
}

function defaultJsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** protoc's name for a map field's entry message: `my_map` → `MyMapEntry`. */
function entryName(field: string): string {
  const camelName = field.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/_/g, '');
  return `${camelName.charAt(0).toUpperCase()}${camelName.slice(1)}Entry`;
}

/**
 * The FileDescriptorProto of a resolved model (every named field type has
 * `resolved`), encoded. `name` is the file name it carries.
 */
export function toDescriptor(file: ProtoFile, name: string): Uint8Array {
  const deps = [...file.imports, ...file.publicImports, ...file.weakImports];
  const obj: Obj = {
    name,
    dependency: deps,
    messageType: file.types.flatMap((t) =>
      t.kind === 'message' ? [messageTo(t.message, file, qualify(t.message.name, file.package))] : [],
    ),
    enumType: file.types.flatMap((t) => (t.kind === 'enum' ? [enumTo(t.enum)] : [])),
    service: file.services.map((s) => ({
      name: s.name,
      method: s.methods.map((m) => ({
        name: m.name,
        inputType: `.${qualify(m.input, file.package)}`,
        outputType: `.${qualify(m.output, file.package)}`,
        clientStreaming: m.clientStreaming || undefined,
        serverStreaming: m.serverStreaming || undefined,
        options: optionsTo(m.options, descriptor.MethodOptions),
      })),
      options: optionsTo(s.options, descriptor.ServiceOptions),
    })),
    options: optionsTo(file.options, descriptor.FileOptions),
  };
  if (file.package !== '') obj.package = file.package;
  if (file.publicImports.length > 0) obj.publicDependency = file.publicImports.map((_, i) => file.imports.length + i);
  if (file.weakImports.length > 0) {
    obj.weakDependency = file.weakImports.map((_, i) => file.imports.length + file.publicImports.length + i);
  }
  if (file.syntax === 'proto3') obj.syntax = 'proto3';
  const message = descriptor.FileDescriptorProto.fromObject(obj);
  return descriptor.FileDescriptorProto.encode(message).finish();
}

function qualify(name: string, pkg: string): string {
  if (name.startsWith('.')) return name.slice(1);
  return pkg === '' ? name : `${pkg}.${name}`;
}

function fieldTo(f: ProtoField, type: string, label: string, extra: Obj = {}): Obj {
  const out: Obj = { name: f.name, number: f.number, label, ...extra };
  if (SCALARS.has(type)) out.type = `TYPE_${type.toUpperCase()}`;
  return out;
}

function namedType(out: Obj, resolved: ProtoField['resolved']): Obj {
  if (out.type !== undefined || resolved === undefined) return out;
  return { ...out, type: resolved.kind === 'enum' ? 'TYPE_ENUM' : 'TYPE_MESSAGE', typeName: `.${resolved.name}` };
}

/** `full` is the message's fully qualified name (its map entries' type names start with it). */
function messageTo(m: ProtoMessage, file: ProtoFile, full: string): Obj {
  const oneofs = [...m.oneofs];
  const entries: Obj[] = [];
  const fields = m.fields.map((f) => {
    const options = f.options.filter((o) => o.name !== 'default' && o.name !== 'json_name');
    const extra: Obj = { options: optionsTo(options, descriptor.FieldOptions) };
    const dflt = f.options.find((o) => o.name === 'default');
    if (dflt !== undefined) extra.defaultValue = String(dflt.value);
    const json = f.options.find((o) => o.name === 'json_name');
    extra.jsonName = json === undefined ? defaultJsonName(f.name) : String(json.value);
    if (f.mapKey !== undefined) {
      const entry = entryName(f.name);
      entries.push({
        name: entry,
        field: [
          fieldTo({ ...f, name: 'key', number: 1 }, f.mapKey, 'LABEL_OPTIONAL', { jsonName: 'key' }),
          namedType(
            fieldTo({ ...f, name: 'value', number: 2 }, f.type, 'LABEL_OPTIONAL', { jsonName: 'value' }),
            f.resolved,
          ),
        ],
        options: { mapEntry: true },
      });
      return { ...fieldTo(f, 'map', 'LABEL_REPEATED', extra), type: 'TYPE_MESSAGE', typeName: `.${full}.${entry}` };
    }
    const label =
      f.label === 'repeated' ? 'LABEL_REPEATED' : f.label === 'required' ? 'LABEL_REQUIRED' : 'LABEL_OPTIONAL';
    if (f.oneof !== undefined) extra.oneofIndex = m.oneofs.indexOf(f.oneof);
    return namedType(fieldTo(f, f.type, label, extra), f.resolved);
  });
  // proto3 `optional`: a synthetic oneof per field, after the real ones, as protoc writes them.
  m.fields.forEach((f, i) => {
    if (file.syntax === 'proto3' && f.label === 'optional') {
      oneofs.push(`_${f.name}`);
      const field = fields[i] as Obj;
      field.proto3Optional = true;
      field.oneofIndex = oneofs.length - 1;
    }
  });
  return {
    name: m.name,
    field: fields,
    nestedType: [
      ...m.nested.flatMap((t) =>
        t.kind === 'message' ? [messageTo(t.message, file, `${full}.${t.message.name}`)] : [],
      ),
      ...entries,
    ],
    enumType: m.nested.flatMap((t) => (t.kind === 'enum' ? [enumTo(t.enum)] : [])),
    oneofDecl: oneofs.map((name) => ({ name })),
    reservedRange: m.reservedRanges.map(([start, end]) => ({ start, end: end + 1 })),
    reservedName: [...m.reservedNames],
    extensionRange: m.extensionRanges.map(([start, end]) => ({ start, end: end + 1 })),
    options: optionsTo(m.options, descriptor.MessageOptions),
  };
}

function enumTo(e: ProtoEnum): Obj {
  return {
    name: e.name,
    value: e.values.map((v) => ({
      name: v.name,
      number: v.number,
      options: optionsTo(v.options, descriptor.EnumValueOptions),
    })),
    reservedRange: e.reservedRanges.map(([start, end]) => ({ start, end })),
    reservedName: [...e.reservedNames],
    options: optionsTo(e.options, descriptor.EnumOptions),
  };
}
