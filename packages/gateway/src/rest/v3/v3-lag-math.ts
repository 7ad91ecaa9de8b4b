/**
 * Consumer lag, decided here and nowhere else. A partition's lag is its
 * end minus the group's committed offset, never below zero, where the end
 * is the last stable offset (ListOffsets latest under read_committed, as
 * Confluent asks), so records of a transaction still open are not lag. A
 * committed offset that sits on transaction markers (control batches,
 * which no consumer is ever handed) is moved past them before subtracting:
 * a consumer that has read every record of committed transactions has no
 * lag, whichever of the marker's offsets its client committed. Pure.
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
 * The first offset at or after `from` that is not inside a control batch,
 * reading the whole batches in `batches` (raw fetch bytes from `from`, the
 * last batch possibly cut short); never past `end`. A batch that starts
 * before `from` (a fetch answers from the batch holding it) is passed over.
 */
export function offsetPastMarkers(batches: Buffer, from: bigint, end: bigint): bigint {
  let offset = from;
  let pos = 0;
  while (pos + RECORD_BATCH_HEADER_BYTES <= batches.length && offset < end) {
    const header = readBatchHeader(batches, pos);
    const size = LOG_OVERHEAD + header.batchLength;
    if (header.batchLength <= 0 || pos + size > batches.length) break;
    const last = header.baseOffset + BigInt(header.lastOffsetDelta);
    if (last >= offset) {
      if (!isControl(header.attributes)) break;
      offset = last + 1n;
    }
    pos += size;
  }
  return offset < end ? offset : end;
}

/** Lag of one partition: `end` minus the committed offset moved past markers, at least zero. */
export function lagOf(pastMarkers: bigint, end: bigint): bigint {
  return end > pastMarkers ? end - pastMarkers : 0n;
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
