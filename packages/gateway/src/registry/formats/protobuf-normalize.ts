/**
 * `normalize` for Protobuf: the model rewritten so that schemas differing
 * only in the order of things that carry no order (or in how a type name
 * is written) print alike. What Confluent's normalized form does, as read
 * in its ProtobufSchemaUtils (see the registry README, "Facts: JSON Schema
 * and Protobuf normalize"): imports and public imports sorted and
 * deduplicated; options sorted by name everywhere (file, message, field,
 * enum, enum value, service, rpc) and the keys of aggregate option values
 * sorted; fields sorted by number; oneofs with their members sorted by
 * number, ordered by their first member, empty ones dropped; enum values
 * sorted by number, then name; reserved numbers by start, names sorted;
 * every message or enum type of a field, a map value and an rpc written
 * fully qualified with a leading dot. The order of message, enum and
 * service declarations is kept: a message's index in the file is part of
 * Confluent's wire format.
 */
import { type LoadedProto, loadProtobuf, resolveName } from './protobuf.ts';
import type {
  ProtoEnum,
  ProtoField,
  ProtoFile,
  ProtoMessage,
  ProtoOption,
  ProtoService,
  ProtoType,
} from './protobuf-model.ts';
import { printProto } from './protobuf-print.ts';

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort(byString)
        .map((k) => [k, sortedValue(object[k])]),
    );
  }
  return value;
}

function options(list: readonly ProtoOption[]): ProtoOption[] {
  return [...list].sort((a, b) => byString(a.name, b.name)).map((o) => ({ name: o.name, value: sortedValue(o.value) }));
}

function ranges(list: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  return [...list].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function field(f: ProtoField): ProtoField {
  const out: ProtoField = {
    ...f,
    // A resolved (message or enum) type is written in full: `.pkg.Outer.Inner`.
    type: f.resolved === undefined ? f.type : `.${f.resolved.name}`,
    options: options(f.options),
  };
  return out;
}

function message(m: ProtoMessage): ProtoMessage {
  const fields = [...m.fields].sort((a, b) => a.number - b.number).map(field);
  const firstNumber = (name: string): number =>
    fields.find((f) => f.oneof === name)?.number ?? Number.POSITIVE_INFINITY;
  const oneofs = m.oneofs
    .filter((name) => fields.some((f) => f.oneof === name))
    .sort((a, b) => firstNumber(a) - firstNumber(b));
  return {
    ...m,
    fields,
    oneofs,
    nested: m.nested.map(type),
    reservedRanges: ranges(m.reservedRanges),
    reservedNames: [...m.reservedNames].sort(byString),
    options: options(m.options),
  };
}

function enumType(e: ProtoEnum): ProtoEnum {
  return {
    ...e,
    values: [...e.values]
      .sort((a, b) => a.number - b.number || byString(a.name, b.name))
      .map((v) => ({ ...v, options: options(v.options) })),
    reservedRanges: ranges(e.reservedRanges),
    reservedNames: [...e.reservedNames].sort(byString),
    options: options(e.options),
  };
}

function type(t: ProtoType): ProtoType {
  return t.kind === 'message'
    ? { kind: 'message', message: message(t.message) }
    : { kind: 'enum', enum: enumType(t.enum) };
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)].sort(byString);
}

/** The normalized model of a loaded schema (a new model: the loaded one is cached and shared). */
export function normalizeProto(loaded: LoadedProto): ProtoFile {
  const { file, types } = loaded;
  const qualified = (name: string): string => {
    const found = resolveName(name, file.package, types);
    return found === undefined ? name : `.${found.fullName}`;
  };
  const services: ProtoService[] = file.services.map((s) => ({
    ...s,
    options: options(s.options),
    methods: s.methods.map((m) => ({
      ...m,
      input: qualified(m.input),
      output: qualified(m.output),
      options: options(m.options),
    })),
  }));
  return {
    ...file,
    imports: unique(file.imports),
    publicImports: unique(file.publicImports),
    options: options(file.options),
    types: file.types.map(type),
    services,
  };
}

/** The stored text of a submitted schema under `normalize`: loaded as for its canonical text, then normalized. */
export function normalizedProtobuf(text: string, imports: ReadonlyMap<string, string>): string {
  return printProto(normalizeProto(loadProtobuf(text, imports)));
}
