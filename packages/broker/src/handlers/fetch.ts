/**
 * Fetch (key 1, v4-18). Returns whole record batches as stored, below the
 * high watermark (isolation_level 1, read_committed: below the last stable
 * offset, with the aborted transactions overlapping what is returned, for
 * the client to skip), as byte ranges read from the log (no record decode).
 * Long-polls: while fewer than min_bytes are available it waits, up to
 * max_wait_ms, for an append to any requested partition. The first
 * partition with data always gets at least one whole batch even if it is
 * larger than the limits (KIP-74); the others only whole batches within
 * theirs. Fetch sessions (KIP-227) are never created: session id 0 tells
 * clients to send full requests.
 *
 * Memory: max_bytes is capped by the broker's fetch.max.bytes (as Kafka
 * does), every read is bounded by what the response may still carry (one
 * first batch may exceed it, bounded by the batch's size), and nothing is
 * read until the connection may send this response (every earlier response
 * written, its write buffer drained: ConnectionContext.untilSendable), so a
 * client that pipelines fetches and never reads holds one response, not
 * one per fetch.
 *
 * Per partition, before any read (KIP-320): a currentLeaderEpoch older than
 * this leader's is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH;
 * from v12 a lastFetchedEpoch whose end in this log lies before the fetch
 * offset gets the diverging epoch and no records (epoch-checks.ts). v13+
 * names topics by id, resolved through the metadata image (an unknown id is
 * UNKNOWN_TOPIC_ID). v16+ answers NOT_LEADER_OR_FOLLOWER and
 * FENCED_LEADER_EPOCH with the current leader and its endpoint (KIP-951).
 * Followers replicate over gRPC: v15's replicaState and the follower fields
 * of v17-18 are read as a consumer's defaults.
 */
import { BATCH_LENGTH_OFFSET, ErrorCode, type FetchRequest, type FetchResponse, LOG_OVERHEAD } from '@runnel/protocol';
import type { FrameClaim } from '../network/frame-pool.ts';
import type { EpochEnd } from '../replication/divergence.ts';
import type { Partition } from '../replication/partition.ts';
import type { CommittedRead, IsolationLevel } from '../replication/partition-api.ts';
import { consumerDivergence, leaderEpochError } from './epoch-checks.ts';
import type { BrokerContext, Handler, RequestContext, ResponseMemory } from './handler.ts';
import {
  currentLeaderHint,
  fetchLeaderHintVersionMin,
  type NodeEndpoint,
  wantsLeaderHint,
} from './produce-leader-hints.ts';

type PartitionData = FetchResponse['responses'][number]['partitions'][number];

const empty = Buffer.alloc(0);
const readCommitted = 1;

interface PartitionRead {
  result: CommittedRead;
  /** Claims on the recycled memory the records are in. */
  claims: FrameClaim[];
}

interface Slot {
  /** The topic's name; '' for an id the image does not know. */
  topic: string;
  /** How the request named the topic: its name (v4-12) or its id (v13+); the response names it the same way. */
  key: string;
  index: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  partition: Partition | undefined;
  errorCode: number;
  /** Set when the fetcher's history departs from this log's (answered with no records). */
  divergingEpoch: EpochEnd | null;
}

const zeroUuid = '00000000-0000-0000-0000-000000000000';
const topicIdVersionMin = 13;
/** The first Fetch version whose clients handle KAFKA_STORAGE_ERROR. */
const storageErrorVersionMin = 6;

/** The partition's entry before any read: its error, or its bounds and no records. */
function baseData(slot: Slot, isolationLevel: number): PartitionData {
  const p = slot.partition;
  const readable = p !== undefined && slot.errorCode === ErrorCode.NONE;
  return {
    partitionIndex: slot.index,
    errorCode: slot.errorCode,
    highWatermark: readable ? p.highWatermark : -1n,
    lastStableOffset: readable ? p.lastStableOffset : -1n,
    logStartOffset: readable ? p.logStartOffset : -1n,
    abortedTransactions: isolationLevel === readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: empty,
    ...(slot.divergingEpoch === null ? {} : { divergingEpoch: { ...slot.divergingEpoch } }),
  };
}

/** Read bounds are the partition's: below the high watermark (or LSO), nothing (no error) between it and the log end. */
async function readPartition(
  partition: Partition,
  slot: Slot,
  limit: number,
  isolation: IsolationLevel,
  memory: ResponseMemory | undefined,
): Promise<PartitionRead> {
  const claims: FrameClaim[] = [];
  const allocate =
    memory === undefined
      ? undefined
      : (sizeBytes: number): Buffer => {
          const acquired = memory.acquire(sizeBytes);
          if (acquired === null) return Buffer.allocUnsafe(sizeBytes);
          claims.push(acquired.claim);
          return acquired.bytes;
        };
  const result = await partition.readCommitted(slot.fetchOffset, limit, isolation, allocate);
  return { result, claims };
}

/** Whether `records` (whole batches) are a single batch: what any limit returns at least. */
function isOneBatch(records: readonly Buffer[]): boolean {
  if (records.length !== 1) return records.length === 0;
  const only = records[0] as Buffer;
  return only.length < LOG_OVERHEAD || LOG_OVERHEAD + only.readInt32BE(BATCH_LENGTH_OFFSET) === only.length;
}

function release(claims: readonly FrameClaim[]): void {
  for (const c of claims) c.release();
}

export function fetchHandler(broker: BrokerContext): Handler<1> {
  function resolveSlots(request: FetchRequest, version: number): Slot[] {
    const image = broker.image();
    const slots: Slot[] = [];
    for (const t of request.topics) {
      const byId = version >= topicIdVersionMin;
      const key = (byId ? t.topicId : t.topic) ?? '';
      const topicImage = byId ? (key === zeroUuid ? undefined : image.topicById(key)) : image.topic(key);
      for (const p of t.partitions) {
        const slot: Slot = {
          topic: topicImage?.name ?? '',
          key,
          index: p.partition,
          fetchOffset: p.fetchOffset,
          partitionMaxBytes: p.partitionMaxBytes,
          partition: undefined,
          errorCode: ErrorCode.NONE,
          divergingEpoch: null,
        };
        slots.push(slot);
        if (topicImage === undefined) {
          slot.errorCode = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        if (topicImage.partitions[p.partition] === undefined) {
          slot.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        if (
          broker.partitions.logDirOffline &&
          topicImage.partitions[p.partition]?.replicas.includes(broker.config.nodeId) === true
        ) {
          slot.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
          continue;
        }
        const partition = broker.partitions.get(slot.topic, p.partition);
        if (partition === undefined || partition.closed) {
          slot.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
          continue;
        }
        // Kafka's order: the sender's epoch first (stale metadata is told so), then leadership.
        slot.errorCode = leaderEpochError(p.currentLeaderEpoch ?? -1, partition.leaderEpoch);
        if (slot.errorCode !== ErrorCode.NONE) continue;
        if (partition.leader !== broker.config.nodeId) {
          slot.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
          continue;
        }
        const lastFetchedEpoch = p.lastFetchedEpoch ?? -1;
        if (lastFetchedEpoch >= 0) {
          const ours = partition.log.endOffsetForEpoch(lastFetchedEpoch);
          slot.divergingEpoch = consumerDivergence(ours, lastFetchedEpoch, p.fetchOffset);
          if (slot.divergingEpoch !== null) continue;
        }
        slot.partition = partition;
      }
    }
    return slots;
  }

  /** KIP-951: refused partitions name their current leader, and the response lists those leaders' endpoints. */
  function withHints(data: PartitionData[], slots: Slot[]): NodeEndpoint[] {
    const endpoints = new Map<number, NodeEndpoint>();
    const image = broker.image();
    data.forEach((d, i) => {
      const slot = slots[i] as Slot;
      if (wantsLeaderHint(d.errorCode)) d.currentLeader = currentLeaderHint(image, slot.topic, slot.index, endpoints);
    });
    return [...endpoints.values()];
  }

  /**
   * Reads every partition of the request, in request order as far as the
   * limits go (Kafka's): each gets the whole batches that fit in
   * min(partition_max_bytes, what is left of max_bytes), nothing once that
   * is spent, and the first partition with data at least one whole batch.
   * The reads are issued together, though, in waves of partitions whose
   * limits fit what is left, so one fetch costs about one file read's
   * latency instead of one per partition (the default 50 MiB max_bytes
   * over 1 MiB per partition: one wave). A read past the limit it would
   * have had in order (only after an earlier partition returned a batch
   * larger than its limit) is read again.
   */
  async function readAll(
    slots: Slot[],
    maxBytes: number,
    isolationLevel: number,
    memory: ResponseMemory | undefined,
  ): Promise<{ data: PartitionData[]; bytes: number; claims: FrameClaim[] }> {
    const isolation = isolationLevel === readCommitted ? 'read_committed' : 'read_uncommitted';
    const data = slots.map((slot) => baseData(slot, isolationLevel));
    const claims: FrameClaim[] = [];
    let remaining = maxBytes;
    let bytes = 0;
    // KIP-74: the first partition that has data ignores the limits for its first batch.
    const limitOf = (slot: Slot) =>
      bytes === 0
        ? Math.max(1, Math.min(slot.partitionMaxBytes, remaining))
        : Math.min(slot.partitionMaxBytes, remaining);
    let next = 0;
    while (next < slots.length && remaining > 0) {
      const wave: { index: number; partition: Partition }[] = [];
      let planned = 0;
      for (; next < slots.length; next++) {
        const slot = slots[next] as Slot;
        if (slot.partition === undefined || slot.errorCode !== ErrorCode.NONE) continue;
        const limit = limitOf(slot);
        if (wave.length > 0 && planned + limit > remaining) break;
        wave.push({ index: next, partition: slot.partition });
        planned += limit;
      }
      const reads = await Promise.all(
        wave.map(({ index, partition }) =>
          readOrFault(partition, slots[index] as Slot, limitOf(slots[index] as Slot), isolation, memory),
        ),
      );
      for (let k = 0; k < wave.length; k++) {
        const { index, partition } = wave[k] as (typeof wave)[number];
        const slot = slots[index] as Slot;
        let read = reads[k] as PartitionRead | null;
        const d = data[index] as PartitionData;
        if (read === null) {
          d.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
          continue;
        }
        if (remaining <= 0) {
          release(read.claims);
          continue;
        }
        const limit = limitOf(slot);
        if (read.result.ok && read.result.sizeBytes > limit && !isOneBatch(read.result.records)) {
          release(read.claims);
          read = await readOrFault(partition, slot, limit, isolation, memory);
          if (read === null) {
            d.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
            continue;
          }
        }
        const r = read.result;
        d.highWatermark = r.highWatermark;
        d.lastStableOffset = r.lastStableOffset;
        d.logStartOffset = r.logStartOffset;
        if (!r.ok) {
          d.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
          release(read.claims);
          continue;
        }
        // Past the first partition with data a batch larger than its limit is left out (KIP-74 exempts only
        // the first, as Kafka does), so the response stays within max_bytes but for that first batch.
        if (r.sizeBytes === 0 || (bytes > 0 && r.sizeBytes > limit)) {
          release(read.claims);
          continue;
        }
        d.records = r.records;
        d.abortedTransactions = r.abortedTransactions;
        claims.push(...read.claims);
        bytes += r.sizeBytes;
        remaining -= r.sizeBytes;
        broker.metrics.bytesOut.inc({ topic: slot.topic }, r.sizeBytes);
        broker.metrics.messagesOut.inc({ topic: slot.topic }, r.recordCount);
      }
    }
    return { data, bytes, claims };
  }

  /** A read, or null after a storage fault (the partition answers KAFKA_STORAGE_ERROR); other errors are bugs. */
  async function readOrFault(
    partition: Partition,
    slot: Slot,
    limit: number,
    isolation: IsolationLevel,
    memory: ResponseMemory | undefined,
  ): Promise<PartitionRead | null> {
    try {
      return await readPartition(partition, slot, limit, isolation, memory);
    } catch (error) {
      if (broker.partitions.storageFault(error, { topic: slot.topic, partition: slot.index })) return null;
      throw error;
    }
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
    maxVersion: 18,
    async handle(request: FetchRequest, context: RequestContext): Promise<FetchResponse> {
      if (request.sessionId !== undefined && request.sessionId !== 0) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
      }
      // Nothing decoded views the request bytes, and a fetch may park for long: they stop counting now.
      context.connection.requestBytesDone?.();
      const version = context.header.apiVersion;
      const deadline = broker.clock.monotonicMs() + Math.max(0, request.maxWaitMs);
      const asked = Math.min(
        request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER,
        broker.config.fetchBytesMax,
      );
      // A consumer's quota caps what one response may carry (replicas are never client-throttled).
      const consumer = (request.replicaId ?? -1) < 0 && (request.replicaState?.replicaId ?? -1) < 0;
      const quotaMax = consumer ? (broker.clientQuotas?.fetchBytesMax(context.header.clientId ?? '') ?? asked) : asked;
      const maxBytes = Math.min(asked, quotaMax);
      let slots = resolveSlots(request, version);
      const memory = context.responseMemory;
      // Nothing is read for a response that cannot be sent yet, or ever (the connection closed: nobody gets this).
      if ((await context.connection.untilSendable?.()) === false) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [] };
      }
      let result = await readAll(slots, maxBytes, request.isolationLevel, memory);
      for (;;) {
        const waitMs = deadline - broker.clock.monotonicMs();
        // An error or a diverging epoch is news the fetcher needs now, not after max_wait_ms.
        const anyNews = slots.some((s) => s.errorCode !== ErrorCode.NONE || s.divergingEpoch !== null);
        if (result.bytes >= request.minBytes || waitMs <= 0 || anyNews) break;
        release(result.claims);
        await waitForData(slots, waitMs);
        slots = resolveSlots(request, version);
        result = await readAll(slots, maxBytes, request.isolationLevel, memory);
      }
      for (const c of result.claims) memory?.holdUntilWritten(c);
      const nodeEndpoints = version >= fetchLeaderHintVersionMin ? withHints(result.data, slots) : [];
      const byTopic = new Map<string, PartitionData[]>();
      const order: string[] = [];
      slots.forEach((slot, i) => {
        const d = result.data[i];
        if (d === undefined) return;
        // Fetch v6 is where a client promises to handle KAFKA_STORAGE_ERROR; older ones are sent to refresh metadata.
        if (version < storageErrorVersionMin && d.errorCode === ErrorCode.KAFKA_STORAGE_ERROR) {
          d.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        }
        let list = byTopic.get(slot.key);
        if (list === undefined) {
          list = [];
          byTopic.set(slot.key, list);
          order.push(slot.key);
        }
        list.push(d);
      });
      const byId = version >= topicIdVersionMin;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: order.map((key) => ({
          ...(byId ? { topicId: key } : { topic: key }),
          partitions: byTopic.get(key) ?? [],
        })),
        nodeEndpoints,
      };
    },
  };
}
