/**
 * Persisted encoding of one MetadataRecord.
 *
 *   record   = version:uint8 payload
 *   version  = 0x08 (client-quota records) | 0x07 (feature-level records)
 *            | 0x06 (producer-ids records) | 0x05 (cluster-id records)
 *            | 0x04 (operator-placed partition records)
 *            | 0x03 (broker-state records)
 *            | 0x02 (every other record) | 0x01 (still read)
 *   payload  = UTF-8 JSON object with a "type" field and the record's fields;
 *              bigint fields (brokerEpoch) are written as decimal strings so
 *              no int64 loses precision through a JS number.
 *
 * Version 2 added elr, lastKnownElr, addingReplicas and removingReplicas to
 * partition records; a version 1 partition record reads them as empty.
 * Version 3 added the broker-state record. Version 4 added `placement` to
 * partition records (present only as "operator"; older partition records
 * read as placed by the controller). Version 5 added the cluster-id record,
 * version 6 the producer-ids record, version 7 the feature-level record,
 * version 8 the client-quota record.
 * Each record is written with the lowest version that holds it, so a log
 * without decommissions, operator-chosen assignments or a cluster id stays
 * readable by version-2 code.
 *
 * JSON keeps the log readable with `ldb dump` and the volume of metadata is
 * small. Decoding checks every field's type, because bytes read back from
 * disk or the network are untrusted until proven otherwise; a new field or
 * record shape means a new version byte, and old versions stay decodable.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { BrokerListener, MetadataRecord } from './records.ts';
import { isClusterId, isUuid } from './records.ts';

export const metadataRecordVersion = 8;
/** What feature-level records are written as. */
const featureLevelRecordVersion = 7;
/** What producer-ids records are written as. */
const producerIdsRecordVersion = 6;
/** What cluster-id records are written as. */
const clusterIdRecordVersion = 5;
/** What broker-state records are written as. */
const brokerStateRecordVersion = 3;
/** What operator-placed partition records are written as. */
const placementRecordVersion = 4;
/** What records other than those above are written as. */
const baseRecordVersion = 2;
/** The oldest version still decodable. */
const firstRecordVersion = 1;

export type DecodeRecordError = 'unsupported_version' | 'malformed_record';

export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const json = JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  const body = Buffer.from(json, 'utf8');
  const out = Buffer.allocUnsafe(1 + body.length);
  out[0] = versionOf(record);
  body.copy(out, 1);
  return out;
}

/** The lowest version that holds `record`, so older readers keep reading logs that do not need the new shapes. */
function versionOf(record: MetadataRecord): number {
  if (record.type === 'client-quota') return metadataRecordVersion;
  if (record.type === 'feature-level') return featureLevelRecordVersion;
  if (record.type === 'producer-ids') return producerIdsRecordVersion;
  if (record.type === 'cluster-id') return clusterIdRecordVersion;
  if (record.type === 'broker-state') return brokerStateRecordVersion;
  if (record.type === 'partition' && record.placement !== undefined) return placementRecordVersion;
  return baseRecordVersion;
}

export function decodeMetadataRecord(bytes: Uint8Array): Result<MetadataRecord, DecodeRecordError> {
  if (bytes.length === 0) return err('malformed_record', 'empty record');
  const version = bytes[0] ?? 0;
  if (version < firstRecordVersion || version > metadataRecordVersion) {
    return err('unsupported_version', `record version ${version}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.length - 1).toString('utf8'));
  } catch {
    return err('malformed_record', 'payload is not JSON');
  }
  try {
    return ok(toRecord(parsed, version));
  } catch (e: unknown) {
    if (e instanceof MalformedField) return err('malformed_record', e.message);
    throw e;
  }
}

/** Internal control flow for the field readers below; never escapes this module. */
class MalformedField extends Error {}

function fail(message: string): never {
  throw new MalformedField(message);
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${key} is not a string`);
  return v;
}

function nullableStr(o: Record<string, unknown>, key: string): string | null {
  const v = o[key];
  if (v === null) return null;
  if (typeof v !== 'string') fail(`${key} is not a string or null`);
  return v;
}

function int32(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    fail(`${key} is not an int32`);
  }
  return value;
}

function int64(o: Record<string, unknown>, key: string): bigint {
  const v = o[key];
  if (typeof v !== 'string' || !/^-?\d{1,19}$/.test(v)) fail(`${key} is not an int64 string`);
  const n = BigInt(v);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) fail(`${key} is out of int64 range`);
  return n;
}

function int32List(o: Record<string, unknown>, key: string): number[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(`${key} is not an array`);
  return v.map((item: unknown) => int32(item, key));
}

function uuid(o: Record<string, unknown>, key: string): string {
  const v = str(o, key);
  if (!isUuid(v)) fail(`${key} is not a uuid`);
  return v;
}

function listener(value: unknown): BrokerListener {
  const o = object(value, 'listener');
  return {
    name: str(o, 'name'),
    host: str(o, 'host'),
    port: int32(o.port, 'port'),
    securityProtocol: str(o, 'securityProtocol'),
  };
}

function toRecord(value: unknown, version: number): MetadataRecord {
  const o = object(value, 'record');
  const type = o.type;
  switch (type) {
    case 'register-broker': {
      const listeners = o.listeners;
      if (!Array.isArray(listeners)) fail('listeners is not an array');
      return {
        type,
        brokerId: int32(o.brokerId, 'brokerId'),
        incarnationId: str(o, 'incarnationId'),
        brokerEpoch: int64(o, 'brokerEpoch'),
        listeners: listeners.map(listener),
        rack: nullableStr(o, 'rack'),
      };
    }
    case 'client-quota': {
      if (version < 8) fail('client-quota records need version 8');
      const entity = object(o.entity, 'entity');
      const name = (key: string): string | null | undefined => (key in entity ? nullableStr(entity, key) : undefined);
      const user = name('user');
      const clientId = name('clientId');
      if (user === undefined && clientId === undefined) fail('entity names no user and no client id');
      const value = o.value;
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value)))
        fail('value is not a number or null');
      return {
        type,
        entity: { ...(user === undefined ? {} : { user }), ...(clientId === undefined ? {} : { clientId }) },
        key: str(o, 'key'),
        value,
      };
    }
    case 'feature-level': {
      if (version < 7) fail('feature-level records need version 7');
      const level = int32(o.level, 'level');
      if (level < 0 || level > 0x7fff) fail('level is not an int16 of at least 0');
      return { type, name: str(o, 'name'), level };
    }
    case 'producer-ids': {
      if (version < 6) fail('producer-ids records need version 6');
      const nextProducerId = int64(o, 'nextProducerId');
      if (nextProducerId <= 0n) fail('nextProducerId is not positive');
      return { type, brokerId: int32(o.brokerId, 'brokerId'), brokerEpoch: int64(o, 'brokerEpoch'), nextProducerId };
    }
    case 'cluster-id': {
      if (version < 5) fail('cluster-id records need version 5');
      const clusterId = str(o, 'clusterId');
      if (!isClusterId(clusterId)) fail('clusterId is not 22 URL-safe base64 characters');
      return { type, clusterId };
    }
    case 'broker-state': {
      if (version < 3) fail('broker-state records need version 3');
      const state = o.state;
      if (state !== 'active' && state !== 'decommissioning') fail('state is not active or decommissioning');
      return { type, brokerId: int32(o.brokerId, 'brokerId'), state };
    }
    case 'topic':
      return { type, name: str(o, 'name'), topicId: uuid(o, 'topicId') };
    case 'partition': {
      const placement = version >= 4 ? o.placement : undefined;
      if (placement !== undefined && placement !== 'operator') fail('placement is not "operator"');
      return {
        type,
        topicId: uuid(o, 'topicId'),
        partition: int32(o.partition, 'partition'),
        replicas: int32List(o, 'replicas'),
        isr: int32List(o, 'isr'),
        leader: int32(o.leader, 'leader'),
        leaderEpoch: int32(o.leaderEpoch, 'leaderEpoch'),
        partitionEpoch: int32(o.partitionEpoch, 'partitionEpoch'),
        // Version 1 predates these lists: nothing was eligible, adding or removing.
        elr: version >= 2 ? int32List(o, 'elr') : [],
        lastKnownElr: version >= 2 ? int32List(o, 'lastKnownElr') : [],
        addingReplicas: version >= 2 ? int32List(o, 'addingReplicas') : [],
        removingReplicas: version >= 2 ? int32List(o, 'removingReplicas') : [],
        // Absent (and before version 4): the controller placed it.
        ...(placement === undefined ? {} : { placement }),
      };
    }
    case 'config': {
      const resourceType = o.resourceType;
      if (resourceType !== 'topic' && resourceType !== 'broker') fail('resourceType is not topic or broker');
      return {
        type,
        resourceType,
        resourceName: str(o, 'resourceName'),
        name: str(o, 'name'),
        value: nullableStr(o, 'value'),
      };
    }
    case 'remove-topic':
      return { type, topicId: uuid(o, 'topicId') };
    case 'fence-broker':
    case 'unfence-broker':
      return { type, brokerId: int32(o.brokerId, 'brokerId'), brokerEpoch: int64(o, 'brokerEpoch') };
    default:
      return fail(`unknown record type ${JSON.stringify(type)}`);
  }
}
