/**
 * A read_committed partition reader for the transactional workload: Fetch
 * v11 with isolation_level 1 on the partition's leader, and the consumer's
 * half of the contract, done here as Kafka's clients do it: drop the data
 * batches of a producer from the first offset of each of its aborted
 * transactions the broker lists up to that producer's ABORT marker, and
 * drop every control batch.
 *
 * Stateless apart from the KafkaClient it is handed (which owns the
 * connections); errors throw and the caller retries. Values are decoded by
 * the caller (txn-values.ts).
 */
import { appendFileSync } from 'node:fs';
import { fetchVersionBeforeTopicIds, type KafkaClient } from '@runnel/client';
import { ApiKeys, decodeRecordBatches, ErrorCode, isControl, isTransactional } from '@runnel/protocol';

export interface CommittedRecord {
  offset: bigint;
  value: Buffer | null;
}

export interface CommittedFetch {
  records: CommittedRecord[];
  /** Where the next fetch starts: past the last batch returned (data or control). */
  next: bigint;
  lastStableOffset: bigint;
  highWatermark: bigint;
}

/**
 * CHAOS_TXN_TRACE=<file>: one line per fetch that returned records (time,
 * leader asked, LSO, high watermark, aborted transactions, offsets), for
 * post-mortems of aborted or skipped reads.
 */
const traceFile = process.env.CHAOS_TXN_TRACE;

/** Control record key: version int16, type int16 (0 ABORT, 1 COMMIT). */
const isAbortMarker = (key: Buffer | null): boolean => key !== null && key.length >= 4 && key.readInt16BE(2) === 0;

async function leaderConnection(client: KafkaClient, topic: string, partition: number) {
  const metadata = await client.metadata([topic]);
  const leader = metadata.topics
    .find((t) => t.name === topic)
    ?.partitions.find((p) => p.partition === partition)?.leader;
  const broker = metadata.brokers.find((b) => b.nodeId === leader);
  if (broker === undefined) throw new Error(`no leader for ${topic}-${partition}`);
  return { leader, connection: await client.connectionTo({ host: broker.host, port: broker.port }) };
}

/** One read_committed fetch of `topic`-`partition` from `position`. */
export async function fetchCommitted(
  client: KafkaClient,
  topic: string,
  partition: number,
  position: bigint,
  maxWaitMs = 250,
): Promise<CommittedFetch> {
  const { leader, connection } = await leaderConnection(client, topic, partition);
  const response = await connection.request(
    ApiKeys.Fetch,
    {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: position,
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    { maxVersion: fetchVersionBeforeTopicIds },
  );
  const p = response.responses[0]?.partitions[0];
  if (p === undefined) throw new Error(`no fetch answer for ${topic}-${partition}`);
  if (p.errorCode !== ErrorCode.NONE)
    throw new Error(`fetch ${topic}-${partition} at ${position}: error ${p.errorCode}`);
  const bytes =
    p.records === null ? Buffer.alloc(0) : Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records);
  const aborted = [...(p.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  const records: CommittedRecord[] = [];
  let next = position;
  for (const batch of await decodeRecordBatches(bytes)) {
    const h = batch.header;
    while (aborted.length > 0 && (aborted[0]?.firstOffset ?? 0n) <= h.baseOffset + BigInt(h.lastOffsetDelta)) {
      const started = aborted.shift();
      if (started !== undefined) abortedProducers.add(started.producerId);
    }
    const after = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
    if (after > next) next = after;
    if (isControl(h.attributes)) {
      if (batch.records.some((r) => isAbortMarker(r.key))) abortedProducers.delete(h.producerId);
      continue;
    }
    if (isTransactional(h.attributes) && abortedProducers.has(h.producerId)) continue;
    for (const r of batch.records) if (r.offset >= position) records.push({ offset: r.offset, value: r.value });
  }
  if (traceFile !== undefined && records.length > 0) {
    const abortedAt = (p.abortedTransactions ?? []).map((a) => `${a.producerId}@${a.firstOffset}`).join(',');
    appendFileSync(
      traceFile,
      `${Date.now()} ${topic}/${partition} from ${position} leader ${leader} lso ${p.lastStableOffset} ` +
        `hw ${p.highWatermark} aborted [${abortedAt}] got ${records.map((r) => r.offset).join(',')}\n`,
    );
  }
  return { records, next, lastStableOffset: p.lastStableOffset, highWatermark: p.highWatermark };
}
