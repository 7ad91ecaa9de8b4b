/**
 * Consumer lag, decided here and nowhere else. A partition's lag is its
 * end minus the group's committed offset, never below zero, where the end
 * is the last stable offset (ListOffsets latest under read_committed, as
 * Confluent asks), so records of a transaction still open are not lag.
 * Transaction markers (control batches, which no consumer is ever handed)
 * between the committed offset and the end are not lag either: a consumer
 * that has read every record of committed transactions has none, whether
 * its client committed the offset before the last marker or after it.
 * Records of aborted transactions still count (a read_committed consumer
 * passes them without being handed them; telling them apart would take
 * reading the aborted-transaction index). Pure.
 */
import type { GroupMember } from '@runnel/client';
import { isControl, LOG_OVERHEAD, RECORD_BATCH_HEADER_BYTES, readBatchHeader } from '@runnel/protocol';

export interface MemberRef {
  consumerId: string;
  instanceId: string | null;
  clientId: string;
}

export interface PartitionLag extends MemberRef {
  topic: string;
  partition: number;
  /** The group's committed offset, as stored. */
  currentOffset: bigint;
  /** The last stable offset. */
  logEndOffset: bigint;
  lag: bigint;
}

export interface LagSummary {
  max: PartitionLag;
  totalLag: bigint;
}

const noMember: MemberRef = { consumerId: '', instanceId: null, clientId: '' };

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Which member each assigned partition belongs to. */
export function partitionOwners(members: readonly GroupMember[]): (topic: string, partition: number) => MemberRef {
  const owners = new Map<string, MemberRef>();
  for (const m of members)
    for (const a of m.assignment ?? [])
      for (const p of a.partitions)
        owners.set(key(a.topic, p), { consumerId: m.memberId, instanceId: m.groupInstanceId, clientId: m.clientId });
  return (topic, partition) => owners.get(key(topic, partition)) ?? noMember;
}

/**
 * How many offsets in [from, end) are transaction markers, reading the
 * whole batches in `batches` (raw fetch bytes from `from`, the last batch
 * possibly cut short). Markers past what was read are not seen: the count
 * is exact when the bytes reach `end`, a lower bound otherwise.
 */
export function markerOffsets(batches: Buffer, from: bigint, end: bigint): bigint {
  let markers = 0n;
  let pos = 0;
  while (pos + RECORD_BATCH_HEADER_BYTES <= batches.length) {
    const header = readBatchHeader(batches, pos);
    const size = LOG_OVERHEAD + header.batchLength;
    if (header.batchLength <= 0 || pos + size > batches.length || header.baseOffset >= end) break;
    if (isControl(header.attributes)) {
      const last = header.baseOffset + BigInt(header.lastOffsetDelta);
      const first = header.baseOffset > from ? header.baseOffset : from;
      const stop = last < end - 1n ? last : end - 1n;
      if (stop >= first) markers += stop - first + 1n;
    }
    pos += size;
  }
  return markers;
}

/** Lag of one partition: the offsets from the committed one to `end`, less the markers among them, at least zero. */
export function lagOf(committed: bigint, end: bigint, markers: bigint): bigint {
  const lag = end - committed - markers;
  return lag > 0n ? lag : 0n;
}

/** The largest lag (first in topic, partition order on a tie) and the sum; null for no partitions. */
export function lagSummary(lags: readonly PartitionLag[]): LagSummary | null {
  let max: PartitionLag | null = null;
  let totalLag = 0n;
  for (const l of lags) {
    totalLag += l.lag;
    if (max === null || l.lag > max.lag) max = l;
  }
  return max === null ? null : { max, totalLag };
}

/** Lags in topic, then partition order. */
export function sortLags(lags: readonly PartitionLag[]): PartitionLag[] {
  return [...lags].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
