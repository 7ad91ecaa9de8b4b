/**
 * The interpreted codec: reads and writes a message by walking the cached
 * plan of its definition at one version (plan.ts).
 *
 * Message grammar at a version V:
 *   struct  := field* [tagged-fields]      (tagged section only when V is flexible)
 *   tagged-fields := uvarint count, { uvarint tag, uvarint size, size bytes }*
 * Fields absent at V take their default on decode; on encode a non-default
 * value for a field absent at V is an error unless the field is ignorable.
 * Tagged fields are written only when they differ from their default, in tag
 * order; unknown tags are skipped on decode.
 */
import { AssertionError } from '@runnel/common';
import type { FieldPlan, StructPlan, ValuePlan } from './plan.ts';
import { planFor } from './plan.ts';
import { DecodeError, Reader } from './reader.ts';
import type { MessageDef, PrimitiveType } from './types.ts';
import { Writer } from './writer.ts';

/** A value that the definition cannot represent at the requested version: a bug in the caller. */
export class EncodeError extends AssertionError {
  override name = 'EncodeError';
}

/** Encodes a message body (no header, no size prefix). Record buffers become chunks of their own. */
export function encodeMessage(def: MessageDef, version: number, value: object): Buffer[] {
  const w = new Writer();
  writeMessage(def, version, value, w);
  return w.finish();
}

/** Decodes a whole buffer as one message body; trailing bytes are a DecodeError. */
export function decodeMessage(def: MessageDef, version: number, buf: Buffer): Record<string, unknown> {
  const r = new Reader(buf);
  const out = readMessage(def, version, r);
  if (r.remaining !== 0) throw new DecodeError(`${def.name} v${version}: ${r.remaining} trailing bytes`);
  return out;
}

export function writeMessage(def: MessageDef, version: number, value: object, w: Writer): void {
  writeStruct(planFor(def, version), value as Record<string, unknown>, w);
}

export function readMessage(def: MessageDef, version: number, r: Reader): Record<string, unknown> {
  return readStruct(planFor(def, version), r);
}

// ---- decode ----

function readStruct(plan: StructPlan, r: Reader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) out[f.name] = readField(f, r);
  for (const f of plan.absent) out[f.name] = f.makeDefault();
  if (plan.flexible) {
    for (const f of plan.tagged) out[f.name] = f.makeDefault();
    readTaggedFields(plan, r, out);
  }
  return out;
}

function readTaggedFields(plan: StructPlan, r: Reader, out: Record<string, unknown>): void {
  const count = r.uvarint();
  // Each tagged field takes at least two bytes (tag and size).
  if (count * 2 > r.remaining) throw new DecodeError(`${count} tagged fields cannot fit in ${r.remaining} bytes`);
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (size > r.remaining) throw new DecodeError(`tagged field ${tag} of ${size} bytes overruns the buffer`);
    const f = plan.taggedByTag.get(tag);
    if (f === undefined) {
      r.take(size);
      continue;
    }
    const end = r.offset + size;
    const outerEnd = r.end;
    r.end = end;
    try {
      out[f.name] = readField(f, r);
      if (r.offset !== end) throw new DecodeError(`tagged field ${tag} has ${end - r.offset} unread bytes`);
    } finally {
      r.end = outerEnd;
    }
  }
}

function readField(f: FieldPlan, r: Reader): unknown {
  const v = f.value;
  switch (v.kind) {
    case 'primitive':
      return readPrimitive(v.type, f.compact, f.nullable, f.name, r);
    case 'array': {
      const n = r.bytesLength(f.compact);
      if (n === -1) return nullOrThrow(f.nullable, f.name);
      // Like Kafka, a count above the bytes remaining is malformed even for
      // elements that could encode to nothing: it bounds the loop by the input.
      if (n * Math.max(v.elementBytesMin, 1) > r.remaining) {
        throw new DecodeError(`array of ${n} cannot fit in ${r.remaining} bytes`);
      }
      const items: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = readElement(v.element, f, r);
      return items;
    }
    case 'struct':
      if (f.nullable && r.int8() < 0) return null;
      return readStruct(v.struct, r);
  }
}

function readElement(v: ValuePlan, f: FieldPlan, r: Reader): unknown {
  if (v.kind === 'struct') return readStruct(v.struct, r);
  if (v.kind === 'primitive') return readPrimitive(v.type, f.compact, false, f.name, r);
  throw new DecodeError('nested arrays are not part of the protocol');
}

function nullOrThrow(nullable: boolean, name: string): null {
  if (!nullable) throw new DecodeError(`field ${name} is null but not nullable at this version`);
  return null;
}

function readPrimitive(type: PrimitiveType, compact: boolean, nullable: boolean, name: string, r: Reader): unknown {
  switch (type) {
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint16':
      return r.uint16();
    case 'uint32':
      return r.uint32();
    case 'float64':
      return r.float64();
    case 'bool':
      return r.bool();
    case 'uuid':
      return r.uuid();
    case 'string': {
      const n = r.stringLength(compact);
      return n === -1 ? nullOrThrow(nullable, name) : r.utf8(n);
    }
    case 'bytes':
    case 'records': {
      const n = r.bytesLength(compact);
      return n === -1 ? nullOrThrow(nullable, name) : r.slice(n);
    }
  }
}

// ---- encode ----

function writeStruct(plan: StructPlan, value: Record<string, unknown>, w: Writer): void {
  for (const f of plan.absent) {
    const v = value[f.name];
    if (v !== undefined && !f.ignorable && !isDefault(f, v)) {
      throw new EncodeError(`${f.path} is not supported at this version but has a non-default value`);
    }
  }
  for (const f of plan.fields) writeField(f, value[f.name], w);
  if (plan.flexible) writeTaggedFields(plan, value, w);
}

function writeTaggedFields(plan: StructPlan, value: Record<string, unknown>, w: Writer): void {
  const present: FieldPlan[] = [];
  for (const f of plan.tagged) {
    const v = value[f.name];
    if (v !== undefined && !isDefault(f, v)) present.push(f);
  }
  w.uvarint(present.length);
  for (const f of present) {
    const inner = new Writer(64);
    writeField(f, value[f.name], inner);
    w.uvarint(f.tag ?? 0);
    w.uvarint(inner.length);
    w.append(inner.finish());
  }
}

function writeField(f: FieldPlan, value: unknown, w: Writer): void {
  const v = value === undefined ? f.makeDefault() : value;
  const spec = f.value;
  switch (spec.kind) {
    case 'primitive':
      writePrimitive(spec.type, f.compact, f.nullable, v, w, f.path);
      return;
    case 'array': {
      if (v === null) {
        checkNullable(f.nullable, f.path);
        w.length32(-1, f.compact);
        return;
      }
      if (!Array.isArray(v)) throw new EncodeError(`${f.path} must be an array`);
      w.length32(v.length, f.compact);
      const element = spec.element;
      for (const item of v as readonly unknown[]) {
        if (element.kind === 'struct') writeStructValue(element.struct, item, w, f.path);
        else if (element.kind === 'primitive') writePrimitive(element.type, f.compact, false, item, w, f.path);
      }
      return;
    }
    case 'struct':
      if (f.nullable) {
        w.int8(v === null ? -1 : 1);
        if (v === null) return;
      }
      writeStructValue(spec.struct, v, w, f.path);
  }
}

function writeStructValue(plan: StructPlan, v: unknown, w: Writer, path: string): void {
  if (v === null || typeof v !== 'object') throw new EncodeError(`${path} must be an object`);
  writeStruct(plan, v as Record<string, unknown>, w);
}

function checkNullable(nullable: boolean, path: string): void {
  if (!nullable) throw new EncodeError(`${path} is null but not nullable at this version`);
}

function writePrimitive(
  type: PrimitiveType,
  compact: boolean,
  nullable: boolean,
  v: unknown,
  w: Writer,
  path: string,
): void {
  switch (type) {
    case 'int8':
      w.int8(v as number);
      return;
    case 'int16':
      w.int16(v as number);
      return;
    case 'int32':
      w.int32(v as number);
      return;
    case 'int64':
      if (typeof v !== 'bigint') throw new EncodeError(`${path} must be a bigint`);
      w.int64(v);
      return;
    case 'uint16':
      w.uint16(v as number);
      return;
    case 'uint32':
      w.uint32(v as number);
      return;
    case 'float64':
      w.float64(v as number);
      return;
    case 'bool':
      w.bool(v === true);
      return;
    case 'uuid':
      w.uuid(v as string);
      return;
    case 'string':
      if (v === null) checkNullable(nullable, path);
      else if (typeof v !== 'string') throw new EncodeError(`${path} must be a string`);
      w.string(v, compact);
      return;
    case 'bytes':
    case 'records':
      writeBytes(type, compact, nullable, v, w, path);
  }
}

function writeBytes(
  type: 'bytes' | 'records',
  compact: boolean,
  nullable: boolean,
  v: unknown,
  w: Writer,
  path: string,
): void {
  if (v === null) {
    checkNullable(nullable, path);
    w.length32(-1, compact);
    return;
  }
  if (v instanceof Uint8Array) {
    w.length32(v.length, compact);
    if (type === 'records' && Buffer.isBuffer(v)) w.chunk(v);
    else w.raw(v);
    return;
  }
  if (type === 'records' && Array.isArray(v)) {
    const parts = v as readonly Buffer[];
    let total = 0;
    for (const p of parts) total += p.length;
    w.length32(total, compact);
    for (const p of parts) w.chunk(p);
    return;
  }
  throw new EncodeError(`${path} must be a Buffer${type === 'records' ? ' or Buffer[]' : ''}`);
}

// ---- defaults ----

function isDefault(f: FieldPlan, v: unknown): boolean {
  return sameValue(v, f.makeDefault());
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (Array.isArray(a) && b === null) return false;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of Object.keys(bo)) {
      if (ao[k] !== undefined && !sameValue(ao[k], bo[k])) return false;
    }
    return true;
  }
  return false;
}
