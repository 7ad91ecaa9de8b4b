/**
 * The key and value bytes of `__transaction_state` records, laid out as
 * Kafka lays them out (TransactionLogKey, TransactionLogValue), so a Runnel
 * log reads like a Kafka one. The layouts are message definitions as data,
 * run by @runnel/protocol's interpreted codec.
 *
 * Grammar (big-endian; string = int16 length + UTF-8; array = int32 count,
 * -1 = null; flexible (v1): compact string/array = uvarint N+1, 0 = null, and
 * a tagged-field section after every struct):
 *
 *   key   := int16 keyVersion (0), transactionalId string
 *   value := int16 valueVersion (0 | 1), then
 *            producerId int64, producerEpoch int16, transactionTimeoutMs int32,
 *            transactionStatus int8, transactionPartitions array? of
 *            { topic string, partitionIds array of int32 [, tags] },
 *            transactionLastUpdateTimestampMs int64,
 *            transactionStartTimestampMs int64 [, tags]
 *   v1 tags (written only when not the default):
 *            0 previousProducerId int64 (-1), 1 nextProducerId int64 (-1),
 *            2 clientTransactionVersion int16 (0), 3 nextProducerEpoch int16 (-1)
 *   a null value (tombstone) deletes the transactional id.
 *
 * Status ids: 0 Empty, 1 Ongoing, 2 PrepareCommit, 3 PrepareAbort,
 * 4 CompleteCommit, 5 CompleteAbort, 6 Dead, 7 PrepareEpochFence. Kafka
 * writes the partitions as null in Empty. We write v1 (what Kafka writes
 * once transaction.version >= 1) and read v0 and v1; v0 cannot carry the
 * tagged fields, so encoding v0 drops them. Any other version decodes to
 * 'unknown_version'; bytes that do not parse to 'corrupt'.
 */
import { assert, err, ok, type Result } from '@runnel/common';
import { DecodeError, type MessageDef, Reader, readMessage, Writer, writeMessage } from '@runnel/protocol';

export const transactionLogKeyVersion = 0;
/** The value version this coordinator writes. */
export const transactionLogValueVersion = 1;

export const transactionStates = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const;

/** A transactional id's state; the index in `transactionStates` is its status id on disk. */
export type TransactionState = (typeof transactionStates)[number];

export interface TopicPartitionIds {
  readonly topic: string;
  readonly partitionIds: readonly number[];
}

/** One TransactionLogValue: a transactional id's metadata after a transition. */
export interface TransactionLogValue {
  readonly producerId: bigint;
  /** The producer id in use before this transition (differs from producerId after a rotation); -1 if none. */
  readonly previousProducerId: bigint;
  /** KIP-890 (transaction version 2): the id handed out when a commit exhausts the epoch; -1 otherwise. */
  readonly nextProducerId: bigint;
  readonly producerEpoch: number;
  /** KIP-890: the epoch that goes with nextProducerId; -1 otherwise. */
  readonly nextProducerEpoch: number;
  readonly transactionTimeoutMs: number;
  readonly state: TransactionState;
  readonly partitions: readonly TopicPartitionIds[];
  readonly lastUpdateTimestampMs: bigint;
  /** -1 when no transaction has started since the last InitProducerId. */
  readonly startTimestampMs: bigint;
  /** The transaction version the client used (0 or 1 before KIP-890 part 2). */
  readonly clientTransactionVersion: number;
}

/** One decoded record; a null value is a tombstone. */
export interface TransactionLogRecord {
  readonly transactionalId: string;
  readonly value: TransactionLogValue | null;
}

export type TransactionRecordError = 'corrupt' | 'unknown_version';

/** Not a Kafka API: data definitions carry no API key. */
const noApiKey = -1;

const keyDef: MessageDef = {
  name: 'TransactionLogKey',
  apiKey: noApiKey,
  kind: 'data',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [{ name: 'transactionalId', type: 'string', versions: '0' }],
};

const valueDef: MessageDef = {
  name: 'TransactionLogValue',
  apiKey: noApiKey,
  kind: 'data',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'previousProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 0, default: -1n },
    { name: 'nextProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 1, default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'nextProducerEpoch', type: 'int16', versions: '1+', taggedVersions: '1+', tag: 3, default: -1 },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'transactionStatus', type: 'int8', versions: '0+' },
    {
      name: 'transactionPartitions',
      type: '[]',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitionIds', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: '0+' },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: '0+' },
    { name: 'clientTransactionVersion', type: 'int16', versions: '1+', taggedVersions: '1+', tag: 2, default: 0 },
  ],
};

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  const w = new Writer();
  w.int16(transactionLogKeyVersion);
  writeMessage(keyDef, transactionLogKeyVersion, { transactionalId }, w);
  return Buffer.concat(w.finish());
}

/** Encodes at `version` (v1 unless a test asks for v0, which drops the tagged fields). */
export function encodeTransactionLogValue(value: TransactionLogValue, version = transactionLogValueVersion): Buffer {
  assert(version === 0 || version === 1, `TransactionLogValue v${version} is not a version we write`);
  const flexible = version >= 1;
  const w = new Writer();
  w.int16(version);
  writeMessage(
    valueDef,
    version,
    {
      producerId: value.producerId,
      previousProducerId: flexible ? value.previousProducerId : -1n,
      nextProducerId: flexible ? value.nextProducerId : -1n,
      producerEpoch: value.producerEpoch,
      nextProducerEpoch: flexible ? value.nextProducerEpoch : -1,
      transactionTimeoutMs: value.transactionTimeoutMs,
      transactionStatus: transactionStates.indexOf(value.state),
      // Kafka's writer: an Empty transaction has no partitions, written as null.
      transactionPartitions: value.state === 'Empty' ? null : value.partitions,
      transactionLastUpdateTimestampMs: value.lastUpdateTimestampMs,
      transactionStartTimestampMs: value.startTimestampMs,
      clientTransactionVersion: flexible ? value.clientTransactionVersion : 0,
    },
    w,
  );
  return Buffer.concat(w.finish());
}

/** Decodes one record's key and value; never throws on bad input. */
export function decodeTransactionLogRecord(
  key: Buffer,
  value: Buffer | null,
): Result<TransactionLogRecord, TransactionRecordError> {
  try {
    const k = new Reader(key);
    const keyVersion = k.int16();
    if (keyVersion !== transactionLogKeyVersion) return err('unknown_version', `key version ${keyVersion}`);
    const transactionalId = field(readMessage(keyDef, keyVersion, k), 'transactionalId', 'string');
    if (k.remaining !== 0) return err('corrupt', `${k.remaining} bytes after the key`);
    if (value === null) return ok({ transactionalId, value: null });
    const v = new Reader(value);
    const valueVersion = v.int16();
    if (valueVersion !== 0 && valueVersion !== 1) return err('unknown_version', `value version ${valueVersion}`);
    const raw = readMessage(valueDef, valueVersion, v);
    if (v.remaining !== 0) return err('corrupt', `${v.remaining} bytes after the value`);
    const status = field(raw, 'transactionStatus', 'number');
    const state = transactionStates[status];
    if (state === undefined) return err('corrupt', `transaction status ${status}`);
    return ok({ transactionalId, value: valueFromRaw(raw, state) });
  } catch (error) {
    if (error instanceof DecodeError) return err('corrupt', error.message);
    throw error;
  }
}

function valueFromRaw(raw: Record<string, unknown>, state: TransactionState): TransactionLogValue {
  const partitions = raw.transactionPartitions;
  assert(partitions === null || Array.isArray(partitions), 'transactionPartitions decodes to an array or null');
  return {
    producerId: field(raw, 'producerId', 'bigint'),
    previousProducerId: field(raw, 'previousProducerId', 'bigint'),
    nextProducerId: field(raw, 'nextProducerId', 'bigint'),
    producerEpoch: field(raw, 'producerEpoch', 'number'),
    nextProducerEpoch: field(raw, 'nextProducerEpoch', 'number'),
    transactionTimeoutMs: field(raw, 'transactionTimeoutMs', 'number'),
    state,
    partitions: (partitions ?? []).map((p: unknown) => {
      assert(typeof p === 'object' && p !== null, 'a partitions entry decodes to a struct');
      const entry = p as Record<string, unknown>;
      const ids = entry.partitionIds;
      assert(Array.isArray(ids) && ids.every((id) => typeof id === 'number'), 'partitionIds decodes to int32s');
      return { topic: field(entry, 'topic', 'string'), partitionIds: ids as number[] };
    }),
    lastUpdateTimestampMs: field(raw, 'transactionLastUpdateTimestampMs', 'bigint'),
    startTimestampMs: field(raw, 'transactionStartTimestampMs', 'bigint'),
    clientTransactionVersion: field(raw, 'clientTransactionVersion', 'number'),
  };
}

interface FieldTypes {
  string: string;
  number: number;
  bigint: bigint;
}

/** A decoded field of the type its definition gives it; anything else is a codec bug. */
function field<K extends keyof FieldTypes>(raw: Record<string, unknown>, name: string, type: K): FieldTypes[K] {
  const v = raw[name];
  assert(typeof v === type, `${name} decoded as ${typeof v}, not ${type}`);
  return v as FieldTypes[K];
}
