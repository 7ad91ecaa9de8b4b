/**
 * DescribeLogDirs (key 35), v1-4. A broker has one log directory (its data
 * dir): the answer lists it with the partitions asked for (null: every
 * partition this broker hosts; unknown ones are left out, as Kafka does),
 * each with its size on disk, its offset lag (Partition.offsetLag) and
 * isFutureKey false (no replica ever moves between log dirs here). v4 adds
 * the filesystem's total and usable bytes (-1 when statfs fails). A log
 * directory offline after a storage fault is listed with
 * KAFKA_STORAGE_ERROR and no partitions, as Kafka lists a failed one.
 */
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type DescribeLogDirsRequest, type DescribeLogDirsResponse, ErrorCode } from '@runnel/protocol';
import type { Partition } from '../replication/partition.ts';
import type { BrokerContext, Handler } from './handler.ts';

type TopicResult = DescribeLogDirsResponse['results'][number]['topics'][number];

/** The hosted partitions a request names (null: all), grouped by topic in name and index order. Pure. */
export function describedPartitions(
  hosted: Iterable<Partition>,
  asked: DescribeLogDirsRequest['topics'],
): TopicResult[] {
  const wanted = asked === null ? null : new Map(asked.map((t) => [t.topic, new Set(t.partitions)]));
  const byTopic = new Map<string, TopicResult['partitions']>();
  for (const p of hosted) {
    if (p.closed) continue;
    if (wanted !== null && wanted.get(p.topic)?.has(p.index) !== true) continue;
    const partitions = byTopic.get(p.topic) ?? [];
    partitions.push({
      partitionIndex: p.index,
      partitionSize: BigInt(p.log.sizeBytes),
      offsetLag: p.offsetLag,
      isFutureKey: false,
    });
    byTopic.set(p.topic, partitions);
  }
  return [...byTopic.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, partitions]) => ({
      name,
      partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex),
    }));
}

async function space(dir: string): Promise<{ totalBytes: bigint; usableBytes: bigint }> {
  try {
    const s = await statfs(dir, { bigint: true });
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1n, usableBytes: -1n };
  }
}

export function describeLogDirsHandler(broker: BrokerContext): Handler<35> {
  return {
    apiKey: 35,
    minVersion: 1,
    maxVersion: 4,
    async handle(request: DescribeLogDirsRequest): Promise<DescribeLogDirsResponse> {
      const logDir = resolve(broker.config.dataDir);
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        results: [
          {
            errorCode: broker.partitions.logDirOffline ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE,
            logDir,
            topics: describedPartitions(broker.partitions.all(), request.topics),
            ...(await space(logDir)),
          },
        ],
      };
    },
  };
}
