/**
 * Compiles a MessageDef at one version into a flat plan: which fields are on
 * the wire, in what encoding, which are tagged, and the defaults of the rest.
 * Plans are built once per (definition, version) and cached, so encoding and
 * decoding never parse version specs or walk definition metadata per request.
 */
import { assert } from '@runnel/common';
import type { FieldDef, MessageDef, PrimitiveType } from './types.ts';
import { inVersions } from './versions.ts';

export const zeroUuid = '00000000-0000-0000-0000-000000000000';

/** How one value is read or written. */
export type ValuePlan =
  | { readonly kind: 'primitive'; readonly type: PrimitiveType }
  | { readonly kind: 'struct'; readonly struct: StructPlan }
  | { readonly kind: 'array'; readonly element: ValuePlan; readonly elementBytesMin: number };

export interface FieldPlan {
  readonly name: string;
  /** "ProduceRequest.topicData.partitionData.records", for error messages without per-call string building. */
  readonly path: string;
  readonly value: ValuePlan;
  readonly nullable: boolean;
  /** Compact lengths (flexible encoding) for this field. */
  readonly compact: boolean;
  /** The tag when the field is tagged at this version. */
  readonly tag: number | undefined;
  readonly ignorable: boolean;
  /** A fresh default each call for arrays and structs, so callers may mutate decoded objects. */
  readonly makeDefault: () => unknown;
}

export interface StructPlan {
  /** Fields on the wire, in order, excluding tagged ones. */
  readonly fields: readonly FieldPlan[];
  /** Tagged fields at this version, in tag order. */
  readonly tagged: readonly FieldPlan[];
  readonly taggedByTag: ReadonlyMap<number, FieldPlan>;
  /** Fields absent at this version: decode fills their default, encode checks them. */
  readonly absent: readonly FieldPlan[];
  /** Whether the struct ends with a tagged-field section. */
  readonly flexible: boolean;
  /** Lower bound of the encoded size, used to cap array counts when decoding. */
  readonly bytesMin: number;
}

const plans = new WeakMap<MessageDef, Map<number, StructPlan>>();

/** The cached plan of `def` at `version`. The version must be within def.validVersions. */
export function planFor(def: MessageDef, version: number): StructPlan {
  let byVersion = plans.get(def);
  if (byVersion === undefined) {
    byVersion = new Map();
    plans.set(def, byVersion);
  }
  let plan = byVersion.get(version);
  if (plan === undefined) {
    assert(inVersions(def.validVersions, version), `${def.name} has no version ${version}`);
    plan = compileStruct(def.name, def.fields, version, inVersions(def.flexibleVersions, version));
    byVersion.set(version, plan);
  }
  return plan;
}

function compileStruct(path: string, defs: readonly FieldDef[], version: number, flexible: boolean): StructPlan {
  const fields: FieldPlan[] = [];
  const tagged: FieldPlan[] = [];
  const absent: FieldPlan[] = [];
  for (const f of defs) {
    const present = inVersions(f.versions, version);
    const isTagged = present && flexible && inVersions(f.taggedVersions, version);
    const plan = compileField(`${path}.${f.name}`, f, version, flexible, isTagged);
    if (!present) absent.push(plan);
    else if (isTagged) tagged.push(plan);
    else fields.push(plan);
  }
  tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
  const taggedByTag = new Map<number, FieldPlan>();
  for (const t of tagged) {
    assert(t.tag !== undefined && !taggedByTag.has(t.tag), `${path}: duplicate or missing tag on ${t.name}`);
    taggedByTag.set(t.tag, t);
  }
  let bytesMin = flexible ? 1 : 0;
  for (const f of fields) bytesMin += fieldBytesMin(f);
  return { fields, tagged, taggedByTag, absent, flexible, bytesMin };
}

function compileField(path: string, f: FieldDef, version: number, flexible: boolean, isTagged: boolean): FieldPlan {
  const compact = f.flexibleVersions === undefined ? flexible : inVersions(f.flexibleVersions, version);
  const nullable = inVersions(f.nullableVersions, version);
  const value = compileValue(path, f, version, flexible);
  if (isTagged) assert(f.tag !== undefined, `${path}: tagged field without a tag`);
  return {
    name: f.name,
    path,
    value,
    nullable,
    compact,
    tag: isTagged ? f.tag : undefined,
    ignorable: f.ignorable === true,
    makeDefault: defaultMaker(path, f, value),
  };
}

function compileValue(path: string, f: FieldDef, version: number, flexible: boolean): ValuePlan {
  if (f.type === 'struct' || f.type === '[]') {
    assert(f.fields !== undefined, `${path}: ${f.type} field without fields`);
    const struct = compileStruct(path, f.fields, version, flexible);
    const structPlan: ValuePlan = { kind: 'struct', struct };
    return f.type === 'struct' ? structPlan : { kind: 'array', element: structPlan, elementBytesMin: struct.bytesMin };
  }
  if (f.type.startsWith('[]')) {
    const type = f.type.slice(2) as PrimitiveType;
    const element: ValuePlan = { kind: 'primitive', type };
    return { kind: 'array', element, elementBytesMin: primitiveBytesMin(type) };
  }
  return { kind: 'primitive', type: f.type as PrimitiveType };
}

function primitiveBytesMin(type: PrimitiveType): number {
  switch (type) {
    case 'int8':
    case 'bool':
    case 'string':
    case 'bytes':
    case 'records':
      return 1;
    case 'int16':
    case 'uint16':
      return 2;
    case 'int32':
    case 'uint32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
    case 'uuid':
      return 16;
  }
}

function fieldBytesMin(f: FieldPlan): number {
  const v = f.value;
  if (v.kind === 'primitive') return primitiveBytesMin(v.type);
  if (v.kind === 'array') return f.compact ? 1 : 4;
  return f.nullable ? 1 : v.struct.bytesMin;
}

/**
 * Kafka's generator rules: `default` if given, else the zero value of the
 * type; arrays default to empty, records to null, structs to all-default.
 */
function defaultMaker(path: string, f: FieldDef, value: ValuePlan): () => unknown {
  if (f.default === null) return () => null;
  if (value.kind === 'array') return () => [];
  if (value.kind === 'struct') {
    const struct = value.struct;
    return () => defaultStruct(struct);
  }
  const fixed = primitiveDefault(path, value.type, f.default);
  return () => fixed;
}

export function defaultStruct(struct: StructPlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of struct.fields) out[f.name] = f.makeDefault();
  for (const f of struct.tagged) out[f.name] = f.makeDefault();
  for (const f of struct.absent) out[f.name] = f.makeDefault();
  return out;
}

const emptyBuffer = Buffer.alloc(0);

function primitiveDefault(path: string, type: PrimitiveType, given: FieldDef['default']): unknown {
  switch (type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'uint32':
    case 'float64': {
      const n = given === undefined ? 0 : Number(given);
      assert(!Number.isNaN(n), `${path}: default ${String(given)} is not a number`);
      return n;
    }
    case 'int64':
      return given === undefined || given === null ? 0n : BigInt(given);
    case 'bool':
      return given === undefined ? false : given === true || given === 'true';
    case 'string':
      return given === undefined ? '' : String(given);
    case 'uuid':
      return given === undefined ? zeroUuid : String(given);
    case 'bytes':
      return emptyBuffer;
    case 'records':
      return null;
  }
}
