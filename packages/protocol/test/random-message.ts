/**
 * Random valid messages generated from a definition, for the round-trip
 * property test and the fuzzer. Only fields present at the version are set;
 * the codec fills the others with defaults.
 */
import type { Random } from '@runnel/common';
import type { FieldDef, MessageDef, PrimitiveType } from '../src/index.ts';
import { inVersions } from '../src/index.ts';

export function randomMessage(rng: Random, def: MessageDef, version: number): Record<string, unknown> {
  return randomStruct(rng, def.fields, version, 0);
}

function randomStruct(
  rng: Random,
  fields: readonly FieldDef[],
  version: number,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inVersions(f.versions, version)) continue;
    out[f.name] = randomField(rng, f, version, depth);
  }
  return out;
}

function hasWireFields(fields: readonly FieldDef[], version: number): boolean {
  return fields.some((f) => inVersions(f.versions, version));
}

function randomField(rng: Random, f: FieldDef, version: number, depth: number): unknown {
  const nullable = inVersions(f.nullableVersions, version);
  if (nullable && rng.bool(0.15)) return null;
  if (f.type === 'struct') return randomStruct(rng, f.fields ?? [], version, depth + 1);
  if (f.type === '[]') {
    const fields = f.fields ?? [];
    // Elements with nothing on the wire are indistinguishable from an empty array's bytes budget.
    const n = hasWireFields(fields, version) ? rng.int(0, depth > 1 ? 2 : 3) : 0;
    return Array.from({ length: n }, () => randomStruct(rng, fields, version, depth + 1));
  }
  if (f.type.startsWith('[]')) {
    const type = f.type.slice(2) as PrimitiveType;
    return Array.from({ length: rng.int(0, 4) }, () => randomPrimitive(rng, type));
  }
  return randomPrimitive(rng, f.type as PrimitiveType);
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz-._0123456789éß漢';

export function randomPrimitive(rng: Random, type: PrimitiveType): unknown {
  switch (type) {
    case 'int8':
      return rng.int(-128, 127);
    case 'int16':
      return rng.int(-32768, 32767);
    case 'int32':
      return rng.int(-2147483648, 2147483647);
    case 'uint16':
      return rng.int(0, 65535);
    case 'uint32':
      return rng.int(0, 4294967295);
    case 'int64':
      return BigInt.asIntN(64, (BigInt(rng.int(0, 0xffffffff)) << 32n) | BigInt(rng.int(0, 0xffffffff)));
    case 'float64':
      return (rng.next() - 0.5) * 10 ** rng.int(-5, 12);
    case 'bool':
      return rng.bool();
    case 'string': {
      let s = '';
      const n = rng.int(0, 12);
      for (let i = 0; i < n; i++) s += rng.pick([...alphabet]);
      return s;
    }
    case 'uuid': {
      const h = rng.bytes(16).toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'bytes':
    case 'records':
      return rng.bytes(rng.int(0, 40));
  }
}
