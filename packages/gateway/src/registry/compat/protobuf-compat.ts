/**
 * Protobuf compatibility as Confluent's registry decides it: a structural
 * diff of the old schema (the writer's) against the new (the reader's),
 * each difference a change type at a proto path, some types compatible
 * and the rest not. Wire compatibility is the rule: fields are matched by
 * number, not name; scalar types may change within a wire-compatible
 * group; a message-typed field may keep its type under another package
 * but its definition is compared in turn. Pure: no I/O.
 *
 * Paths look like `#/Order/3` (message names, then a field number or a
 * oneof name), as Confluent prints them.
 */
import { type LoadedProto, loadProtobuf, type TypeInfo } from '../formats/protobuf.ts';
import {
  enumsOf,
  messagesOf,
  type ProtoEnum,
  type ProtoField,
  type ProtoMessage,
  type ProtoType,
  SCALARS,
} from '../formats/protobuf-model.ts';
import {
  type CompatibilityLevel,
  type CompatibilityResult,
  checkCompatibility,
  type FormatIncompatibility,
  type Side,
} from './compatibility-levels.ts';

export const PROTOBUF_CHANGE_TYPES = [
  'PACKAGE_CHANGED',
  'MESSAGE_ADDED',
  'MESSAGE_REMOVED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_KIND_CHANGED',
  'FIELD_SCALAR_KIND_CHANGED',
  'FIELD_NAMED_TYPE_CHANGED',
  'REQUIRED_FIELD_ADDED',
  'REQUIRED_FIELD_REMOVED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
  'ONEOF_FIELD_REMOVED',
  'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
  'FIELD_MOVED_TO_EXISTING_ONEOF',
] as const;
export type ProtobufChangeType = (typeof PROTOBUF_CHANGE_TYPES)[number];

/** The change types that do not break a reader (Confluent's list). */
export const COMPATIBLE_CHANGES: ReadonlySet<ProtobufChangeType> = new Set<ProtobufChangeType>([
  'MESSAGE_ADDED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
]);

export interface ProtobufDifference {
  readonly type: ProtobufChangeType;
  readonly path: string;
}

/** Scalar groups whose members share a wire encoding (enums encode as varints, like int32). */
function scalarGroup(type: string, isEnum: boolean): string {
  if (isEnum) return 'varint';
  switch (type) {
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'bool':
      return 'varint';
    case 'sint32':
    case 'sint64':
      return 'zigzag';
    case 'string':
    case 'bytes':
      return 'length-delimited';
    case 'fixed32':
    case 'sfixed32':
      return 'fixed32';
    case 'fixed64':
    case 'sfixed64':
      return 'fixed64';
    default:
      return type; // float, double: each its own
  }
}

/** A field's type: a scalar (or enum) name, a resolved named type, or a map of two of them. */
interface TypeRef {
  readonly scalar?: string;
  readonly named?: TypeInfo;
  readonly map?: { readonly key: TypeRef; readonly value: TypeRef };
}

class Diff {
  readonly differences: ProtobufDifference[] = [];
  private readonly path: string[] = [];
  // Messages of the original being compared further up: a recursive type meets itself again.
  private readonly active = new Set<ProtoMessage>();

  private readonly original: LoadedProto;
  private readonly update: LoadedProto;

  constructor(original: LoadedProto, update: LoadedProto) {
    this.original = original;
    this.update = update;
  }

  add(type: ProtobufChangeType): void {
    this.differences.push({ type, path: `#/${this.path.join('/')}` });
  }

  within<T>(part: string, body: () => T): T {
    this.path.push(part);
    try {
      return body();
    } finally {
      this.path.pop();
    }
  }

  file(): void {
    if (this.original.file.package !== this.update.file.package) this.add('PACKAGE_CHANGED');
    this.types(this.original.file.types, this.update.file.types);
  }

  types(original: readonly ProtoType[], update: readonly ProtoType[]): void {
    const om = messagesOf(original);
    const um = messagesOf(update);
    for (const name of unionOf(om, um)) {
      this.within(name, () => {
        const o = om.find((m) => m.name === name);
        const u = um.find((m) => m.name === name);
        if (u === undefined) this.add('MESSAGE_REMOVED');
        else if (o === undefined) this.add('MESSAGE_ADDED');
        else {
          this.message(o, u);
          // Message indexes on the wire refer to the schema of the record's id, so moving a message is compatible.
          if (om.indexOf(o) !== um.indexOf(u)) this.add('MESSAGE_MOVED');
        }
      });
    }
    const oe = enumsOf(original);
    const ue = enumsOf(update);
    for (const name of unionOf(oe, ue)) {
      this.within(name, () => {
        const o = oe.find((e) => e.name === name);
        const u = ue.find((e) => e.name === name);
        if (u === undefined) this.add('ENUM_REMOVED');
        else if (o === undefined) this.add('ENUM_ADDED');
        else this.enumeration(o, u);
      });
    }
  }

  enumeration(original: ProtoEnum, update: ProtoEnum): void {
    const numbers = [...new Set([...original.values, ...update.values].map((v) => v.number))].sort((a, b) => a - b);
    for (const n of numbers) {
      this.within(String(n), () => {
        const o = original.values.find((v) => v.number === n);
        const u = update.values.find((v) => v.number === n);
        if (u === undefined) this.add('ENUM_CONST_REMOVED');
        else if (o === undefined) this.add('ENUM_CONST_ADDED');
        else if (o.name !== u.name) this.add('ENUM_CONST_CHANGED');
      });
    }
  }

  message(original: ProtoMessage, update: ProtoMessage): void {
    if (!this.active.has(original)) {
      this.active.add(original);
      try {
        this.fields(original, update);
      } finally {
        this.active.delete(original);
      }
    }
    this.types(original.nested, update.nested);
  }

  private fields(original: ProtoMessage, update: ProtoMessage): void {
    const plain = (m: ProtoMessage) => new Map(m.fields.filter((f) => f.oneof === undefined).map((f) => [f.number, f]));
    const all = (m: ProtoMessage) => new Map(m.fields.map((f) => [f.number, f]));
    const originalPlain = plain(original);
    const updatePlain = plain(update);
    const originalAll = all(original);
    const updateAll = all(update);
    // A oneof of the update may take at most one field that was outside any oneof (data with two of them set would
    // lose one), and none at all alongside fields that were in a oneof already.
    for (const oneof of update.oneofs) {
      this.within(oneof, () => {
        let moved = 0;
        let existing = 0;
        for (const f of update.fields.filter((x) => x.oneof === oneof)) {
          if (originalPlain.delete(f.number)) moved++;
          else if (originalAll.get(f.number)?.oneof !== undefined) existing++;
        }
        if (moved > 1) this.add('MULTIPLE_FIELDS_MOVED_TO_ONEOF');
        else if (moved === 1 && existing > 0) this.add('FIELD_MOVED_TO_EXISTING_ONEOF');
      });
    }
    for (const oneof of unionOfNames(original.oneofs, update.oneofs)) {
      this.within(oneof, () => {
        if (!update.oneofs.includes(oneof)) this.add('ONEOF_REMOVED');
        else if (!original.oneofs.includes(oneof)) this.add('ONEOF_ADDED');
        else this.oneof(oneof, original, update, updateAll);
      });
    }
    for (const n of sortedNumbers(originalPlain, updatePlain)) {
      this.within(String(n), () => {
        const o = originalPlain.get(n);
        const u = updatePlain.get(n);
        if (u === undefined) this.add(o?.label === 'required' ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED');
        else if (o === undefined) this.add(u.label === 'required' ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED');
        else this.field(o, u);
      });
    }
    // Fields that moved into, out of or between oneofs are compared by number here (the loops above skip them).
    for (const n of sortedNumbers(originalAll, updateAll)) {
      const o = originalAll.get(n);
      const u = updateAll.get(n);
      if (o === undefined || u === undefined || o.oneof === u.oneof) continue;
      this.within(String(n), () => this.field(o, u));
    }
  }

  private oneof(name: string, original: ProtoMessage, update: ProtoMessage, updateAll: Map<number, ProtoField>): void {
    const o = new Map(original.fields.filter((f) => f.oneof === name).map((f) => [f.number, f]));
    const u = new Map(update.fields.filter((f) => f.oneof === name).map((f) => [f.number, f]));
    for (const n of sortedNumbers(o, u)) {
      this.within(String(n), () => {
        const of = o.get(n);
        const uf = u.get(n);
        // A field that left the oneof but is still in the message was moved, not removed.
        if (uf === undefined) {
          if (!updateAll.has(n)) this.add('ONEOF_FIELD_REMOVED');
        } else if (of === undefined) this.add('ONEOF_FIELD_ADDED');
        else this.field(of, uf);
      });
    }
  }

  field(original: ProtoField, update: ProtoField): void {
    if (original.name !== update.name) this.add('FIELD_NAME_CHANGED');
    this.typeRefs(this.refOf(original, this.original), this.refOf(update, this.update));
  }

  private refOf(field: ProtoField, side: LoadedProto): TypeRef {
    const value = (type: string, resolved: ProtoField['resolved']): TypeRef => {
      if (SCALARS.has(type) || resolved === undefined) return { scalar: type };
      const named = side.types.get(resolved.name);
      return named === undefined ? { scalar: type } : { named };
    };
    const ref = value(field.type, field.resolved);
    return field.mapKey === undefined ? ref : { map: { key: { scalar: field.mapKey }, value: ref } };
  }

  private typeRefs(original: TypeRef, update: TypeRef): void {
    const kind = (t: TypeRef) =>
      t.map !== undefined ? 'map' : t.scalar !== undefined || t.named?.type.kind === 'enum' ? 'scalar' : 'message';
    const ok = kind(original);
    if (ok !== kind(update)) {
      this.add('FIELD_KIND_CHANGED');
      return;
    }
    if (ok === 'map' && original.map !== undefined && update.map !== undefined) {
      this.typeRefs(original.map.key, update.map.key);
      this.typeRefs(original.map.value, update.map.value);
    } else if (ok === 'scalar') {
      const group = (t: TypeRef) => scalarGroup(t.scalar ?? '', t.named !== undefined);
      if (group(original) !== group(update)) this.add('FIELD_SCALAR_KIND_CHANGED');
    } else if (original.named !== undefined && update.named !== undefined) {
      this.messageTypes(original.named, update.named);
    }
  }

  /**
   * A message-typed field keeps its type when the type has the same name
   * below its package (a package move is allowed) and a definition that
   * is itself compatible; its differences are reported at the type's own
   * path, then the field's change.
   */
  private messageTypes(original: TypeInfo, update: TypeInfo): void {
    const local = (t: TypeInfo) => (t.package === '' ? t.fullName : t.fullName.slice(t.package.length + 1));
    if (local(original) !== local(update)) {
      this.add('FIELD_NAMED_TYPE_CHANGED');
      return;
    }
    if (original.type.kind !== 'message' || update.type.kind !== 'message') return;
    if (this.active.has(original.type.message)) return;
    const sub = new Diff(this.original, this.update);
    for (const m of this.active) sub.active.add(m);
    sub.path.push(...local(original).split('.'));
    sub.message(original.type.message, update.type.message);
    this.differences.push(...sub.differences);
    if (sub.differences.some((d) => !COMPATIBLE_CHANGES.has(d.type))) this.add('FIELD_NAMED_TYPE_CHANGED');
  }
}

function unionOf(a: readonly { readonly name: string }[], b: readonly { readonly name: string }[]): string[] {
  return unionOfNames(
    a.map((x) => x.name),
    b.map((x) => x.name),
  );
}

function unionOfNames(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function sortedNumbers(a: ReadonlyMap<number, unknown>, b: ReadonlyMap<number, unknown>): number[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
}

/** Every difference from `original` (the old schema) to `update` (the new one), compatible or not. */
export function diffProtobuf(original: LoadedProto, update: LoadedProto): ProtobufDifference[] {
  const diff = new Diff(original, update);
  diff.file();
  // A message that is also a field's type is compared twice at the same path; say each finding once.
  const seen = new Set<string>();
  return diff.differences.filter((d) => {
    const key = `${d.type} ${d.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What each change type means, in the words of this registry, for the verbose answers. */
const DESCRIPTIONS: Partial<Record<ProtobufChangeType, (p: string, r: Side, w: Side) => string>> = {
  PACKAGE_CHANGED: (p, r, w) => `The package at '${p}' in the ${r} schema differs from the package of the ${w} schema`,
  MESSAGE_REMOVED: (p, r, w) => `The ${r} schema lacks the message at path '${p}' of the ${w} schema`,
  FIELD_KIND_CHANGED: (p, r, w) =>
    `The field at path '${p}' is of another kind (scalar, message or map) in the ${r} schema than in the ${w} schema`,
  FIELD_SCALAR_KIND_CHANGED: (p, r, w) =>
    `The scalar field at path '${p}' in the ${r} schema has a type that is not wire-compatible with its type in the ${w} schema`,
  FIELD_NAMED_TYPE_CHANGED: (p, r, w) =>
    `The message field at path '${p}' in the ${r} schema has a type that differs from its type in the ${w} schema`,
  REQUIRED_FIELD_ADDED: (p, r, w) =>
    `The required field at path '${p}' in the ${r} schema is absent from the ${w} schema`,
  REQUIRED_FIELD_REMOVED: (p, r, w) => `The ${r} schema lacks the required field at path '${p}' of the ${w} schema`,
  ONEOF_FIELD_REMOVED: (p, r, w) => `The ${r} schema lacks the oneof field at path '${p}' of the ${w} schema`,
  MULTIPLE_FIELDS_MOVED_TO_ONEOF: (p, r, w) =>
    `The oneof at path '${p}' in the ${r} schema holds several fields that are outside any oneof in the ${w} schema`,
  FIELD_MOVED_TO_EXISTING_ONEOF: (p, r, w) =>
    `The oneof at path '${p}' in the ${r} schema takes a field that is outside any oneof in the ${w} schema, besides fields it already had`,
};

/**
 * The reasons `reader` cannot read what `writer` wrote: the incompatible
 * differences from the writer's schema to the reader's. Each renders as a
 * verbose entry the way Confluent shapes Protobuf ones
 * (`{errorType:"T", description:"..."}`).
 */
export function checkProtobufCompatibility(reader: LoadedProto, writer: LoadedProto): FormatIncompatibility[] {
  return diffProtobuf(writer, reader)
    .filter((d) => !COMPATIBLE_CHANGES.has(d.type))
    .map((d) => ({
      type: d.type,
      path: d.path,
      verbose: (r: Side, w: Side) =>
        `{errorType:"${d.type}", description:"${DESCRIPTIONS[d.type]?.(d.path, r, w) ?? `${d.type} at path '${d.path}'`}"}`,
    }));
}

/** A stored schema as subject-compatibility.ts hands it over (its StoredSchema, which imports this file). */
interface Stored {
  readonly schemaType: string;
  readonly schema: string;
  readonly imports?: ReadonlyMap<string, string>;
}

/** A Protobuf candidate against the subject's earlier Protobuf versions under `level`. */
export function protobufSubjectCompatibility(
  level: CompatibilityLevel,
  candidate: Stored,
  earlier: readonly (Stored & { readonly version: number })[],
): CompatibilityResult {
  const load = (s: Stored) => loadProtobuf(s.schema, s.imports ?? new Map());
  const previous = earlier
    .filter((v) => v.schemaType === 'PROTOBUF')
    .map((v) => ({ version: v.version, schema: load(v), text: v.schema }));
  return checkCompatibility(level, load(candidate), previous, checkProtobufCompatibility);
}
