/**
 * Fetch (key 1, v4-11). Returns whole record batches as stored, below the
 * high watermark (isolation_level 1, read_committed: below the last stable
 * offset, with the aborted transactions overlapping what is returned, for
 * the client to skip), as byte ranges read from the log (no record decode).
 * Long-polls: while fewer than min_bytes are available it waits, up to
 * max_wait_ms, for an append to any requested partition. The first
 * partition with data always gets at least one whole batch even if it is
 * larger than the limits (KIP-74). Fetch sessions (KIP-227) are never
 * created: session id 0 tells clients to send full requests.
 */
import { ErrorCode, type FetchRequest, type FetchResponse } from '@runnel/protocol';
import type { Partition } from '../replication/partition.ts';
import type { BrokerContext, Handler } from './handler.ts';

type PartitionData = FetchResponse['responses'][number]['partitions'][number];

const empty = Buffer.alloc(0);
const readCommitted = 1;

interface Slot {
  topic: string;
  index: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  partition: Partition | undefined;
  errorCode: number;
}

export function fetchHandler(broker: BrokerContext): Handler<1> {
  function resolveSlots(request: FetchRequest): Slot[] {
    const image = broker.image();
    const slots: Slot[] = [];
    for (const t of request.topics) {
      const topicImage = image.topic(t.topic);
      for (const p of t.partitions) {
        const slot: Slot = {
          topic: t.topic,
          index: p.partition,
          fetchOffset: p.fetchOffset,
          partitionMaxBytes: p.partitionMaxBytes,
          partition: undefined,
          errorCode: ErrorCode.NONE,
        };
        if (topicImage === undefined || topicImage.partitions[p.partition] === undefined) {
          slot.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else {
          const partition = broker.partitions.get(t.topic, p.partition);
          if (partition === undefined || partition.closed || partition.leader !== broker.config.nodeId) {
            slot.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
          } else {
            slot.partition = partition;
          }
        }
        slots.push(slot);
      }
    }
    return slots;
  }

  async function readAll(
    slots: Slot[],
    maxBytes: number,
    isolationLevel: number,
  ): Promise<{ data: PartitionData[]; bytes: number }> {
    let remaining = maxBytes;
    let bytes = 0;
    const data: PartitionData[] = [];
    for (const slot of slots) {
      const p = slot.partition;
      const base: PartitionData = {
        partitionIndex: slot.index,
        errorCode: slot.errorCode,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        abortedTransactions: isolationLevel === readCommitted ? [] : null,
        preferredReadReplica: -1,
        records: empty,
      };
      if (p === undefined || slot.errorCode !== ErrorCode.NONE) {
        data.push(base);
        continue;
      }
      base.highWatermark = p.highWatermark;
      base.lastStableOffset = p.lastStableOffset;
      base.logStartOffset = p.logStartOffset;
      if (remaining <= 0) {
        data.push(base);
        continue;
      }
      // KIP-74: the first partition that has data ignores the limits for its first batch.
      const limit =
        bytes === 0
          ? Math.max(1, Math.min(slot.partitionMaxBytes, remaining))
          : Math.min(slot.partitionMaxBytes, remaining);
      // Read bounds are the partition's: below the high watermark (or LSO), nothing (no error) between it and the log end.
      const isolation = isolationLevel === readCommitted ? 'read_committed' : 'read_uncommitted';
      const read = await p.readCommitted(slot.fetchOffset, limit, isolation);
      base.highWatermark = read.highWatermark;
      base.lastStableOffset = read.lastStableOffset;
      base.logStartOffset = read.logStartOffset;
      if (!read.ok) {
        base.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        data.push(base);
        continue;
      }
      if (read.sizeBytes > 0) {
        base.records = read.records;
        base.abortedTransactions = read.abortedTransactions;
        bytes += read.sizeBytes;
        remaining -= read.sizeBytes;
        broker.metrics.bytesOut.inc({ topic: slot.topic }, read.sizeBytes);
        broker.metrics.messagesOut.inc({ topic: slot.topic }, read.recordCount);
      }
      data.push(base);
    }
    return { data, bytes };
  }

  /** Resolves on the first append to any of the partitions, or after `waitMs`. */
  function waitForData(slots: Slot[], waitMs: number): Promise<void> {
    broker.metrics.parkedFetches.inc();
    return new Promise((resolve) => {
      const cancels: (() => void)[] = [];
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        for (const c of cancels) c();
        broker.metrics.parkedFetches.dec();
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      for (const s of slots) if (s.partition !== undefined) cancels.push(s.partition.onNextAppend(done));
    });
  }

  return {
    apiKey: 1,
    minVersion: 4,
    maxVersion: 11,
    async handle(request: FetchRequest): Promise<FetchResponse> {
      if (request.sessionId !== undefined && request.sessionId !== 0) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
      }
      const deadline = broker.clock.monotonicMs() + Math.max(0, request.maxWaitMs);
      const maxBytes = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
      let slots = resolveSlots(request);
      let result = await readAll(slots, maxBytes, request.isolationLevel);
      for (;;) {
        const waitMs = deadline - broker.clock.monotonicMs();
        const anyError = slots.some((s) => s.errorCode !== ErrorCode.NONE);
        if (result.bytes >= request.minBytes || waitMs <= 0 || anyError) break;
        await waitForData(slots, waitMs);
        slots = resolveSlots(request);
        result = await readAll(slots, maxBytes, request.isolationLevel);
      }
      const byTopic = new Map<string, PartitionData[]>();
      const order: string[] = [];
      slots.forEach((slot, i) => {
        const d = result.data[i];
        if (d === undefined) return;
        let list = byTopic.get(slot.topic);
        if (list === undefined) {
          list = [];
          byTopic.set(slot.topic, list);
          order.push(slot.topic);
        }
        list.push(d);
      });
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: order.map((topic) => ({ topic, partitions: byTopic.get(topic) ?? [] })),
      };
    },
  };
}
