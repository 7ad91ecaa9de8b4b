/**
 * Transactional keyed batches and a whole-log description for the
 * compaction-with-transactions tests: every batch as a short string, so a
 * test states exactly which records, markers and emptied producer batches
 * a pass left.
 */
import {
  type DecodedBatch,
  decodeRecordBatchesSync,
  encodeRecordBatchSync,
  hasDeleteHorizon,
  isControl,
  isTransactional,
  readBatchHeader,
} from '@runnel/protocol';
import type { PartitionLog } from '../src/index.ts';
import type { Pair } from './compaction-fixture.ts';
import { markerBatch } from './producer-fixture.ts';

/** One transactional batch of producer `producerId` (epoch 0) with sequence `seq` and keyed records. */
export function txnKeyedBatch(producerId: bigint, seq: number, pairs: readonly Pair[]): Buffer {
  return encodeRecordBatchSync({
    records: pairs.map(([k, v]) => ({
      key: k === null ? null : Buffer.from(k),
      value: v === null ? null : Buffer.from(v),
    })),
    baseTimestamp: 1_700_000_000_000n,
    producerId,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  });
}

/** Appends a producer's transactional batch as a Produce would; throws when the producer checks refuse it. */
export async function produceTxn(log: PartitionLog, producerId: bigint, seq: number, pairs: readonly Pair[]) {
  const r = await log.appendFromClient(txnKeyedBatch(producerId, seq, pairs), { leaderEpoch: 1 });
  if (!r.ok || r.value.duplicate) throw new Error(`producer ${producerId} seq ${seq} refused: ${JSON.stringify(r)}`);
  return r.value.baseOffset;
}

/** Ends producer `producerId`'s transaction with its marker, as the coordinator does; returns the marker's offset. */
export async function endTxn(log: PartitionLog, producerId: bigint, commit: boolean): Promise<bigint> {
  const r = await log.append(markerBatch({ producerId, epoch: 0, commit, coordinatorEpoch: 1 }), { leaderEpoch: 1 });
  return r.baseOffset;
}

/** Every batch from the log start to the log end, decoded. */
export async function logBatches(log: PartitionLog): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, 1 << 20);
    if (!read.ok) throw new Error(`read at ${offset}: ${read.error}`);
    const buf = Buffer.concat(read.records);
    if (buf.length === 0) throw new Error(`empty read at ${offset} below the log end ${log.logEndOffset}`);
    for (const batch of decodeRecordBatchesSync(buf)) {
      out.push(batch);
      offset = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
    }
  }
  return out;
}

function isAbortMarker(batch: DecodedBatch): boolean {
  return isControl(batch.header.attributes) && batch.records[0]?.key?.readInt16BE(2) === 0;
}

/**
 * Every batch from the log start: `k=v@offset` per record (`P<id>:` before
 * a transactional one), `COMMIT P<id>@offset` / `ABORT P<id>@offset` for
 * markers (`+horizon` when stamped), `EMPTY P<id>@base-last` for a
 * producer batch kept without records. Fillers (no producer) are skipped.
 */
export async function describeLog(log: PartitionLog): Promise<string[]> {
  const out: string[] = [];
  for (const batch of await logBatches(log)) {
    const h = batch.header;
    const last = h.baseOffset + BigInt(h.lastOffsetDelta);
    const txn = isTransactional(h.attributes) ? `P${h.producerId}:` : '';
    if (batch.records.length === 0) {
      if (h.producerId >= 0n) out.push(`EMPTY P${h.producerId}@${h.baseOffset}-${last}`);
      continue;
    }
    if (isControl(h.attributes)) {
      const type = isAbortMarker(batch) ? 'ABORT' : 'COMMIT';
      out.push(`${type} P${h.producerId}@${h.baseOffset}${hasDeleteHorizon(h.attributes) ? '+horizon' : ''}`);
      continue;
    }
    for (const r of batch.records) out.push(`${txn}${r.key?.toString()}=${r.value?.toString() ?? 'null'}@${r.offset}`);
  }
  return out;
}

/**
 * What a read_committed consumer gets (`k=v@offset`), filtering as Kafka
 * clients do with the log's aborted transactions: from an entry's first
 * offset, its producer's transactional batches are skipped until that
 * producer's abort marker.
 */
export async function readCommitted(log: PartitionLog): Promise<string[]> {
  const pending = [...log.abortedTransactions(log.logStartOffset, log.logEndOffset)];
  const abortedProducers = new Set<bigint>();
  const out: string[] = [];
  for (const batch of await logBatches(log)) {
    const h = batch.header;
    const last = h.baseOffset + BigInt(h.lastOffsetDelta);
    for (let next = pending[0]; next !== undefined && next.firstOffset <= last; next = pending[0]) {
      abortedProducers.add(next.producerId);
      pending.shift();
    }
    if (isControl(h.attributes)) {
      if (isAbortMarker(batch)) abortedProducers.delete(h.producerId);
      continue;
    }
    if (isTransactional(h.attributes) && abortedProducers.has(h.producerId)) continue;
    for (const r of batch.records) out.push(`${r.key?.toString()}=${r.value?.toString() ?? 'null'}@${r.offset}`);
  }
  return out;
}

/** The header of the batch holding `offset`, read back from the log. */
export async function batchHeaderAt(log: PartitionLog, offset: bigint) {
  const read = await log.read(offset, 1);
  if (!read.ok) throw new Error(`read at ${offset}: ${read.error}`);
  const buf = read.records[0];
  if (buf === undefined) throw new Error(`no batch at ${offset}`);
  return readBatchHeader(buf, 0);
}
