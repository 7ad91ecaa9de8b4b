/**
 * The cluster requests behind the console's overview and topic pages that
 * the client has no helper for: DescribeLogDirs on every broker (partition
 * sizes) and DescribeQuorum through any broker (which asks the active
 * controller). A broker that fails to answer is left out, not fatal: the
 * pages show what they can.
 */
import type { ClusterMetadata, KafkaClient } from '@runnel/client';
import { ApiKeys, type DescribeLogDirsResponse } from '@runnel/protocol';
import { type PartitionSizes, partitionSizes, quorumAnswer } from './cluster-health.ts';
import type { QuorumAnswer } from './console-api-types.ts';

export interface LogDirSizes {
  sizes: PartitionSizes;
  /** Brokers that answered. */
  answered: Set<number>;
}

/** Every broker's partition sizes; `topics` limits the answer to those topics' partitions (null: all). */
export async function readLogDirSizes(
  client: KafkaClient,
  metadata: ClusterMetadata,
  topics: readonly string[] | null,
): Promise<LogDirSizes> {
  const wanted =
    topics === null
      ? null
      : metadata.topics
          .filter((t) => topics.includes(t.name) && t.errorCode === 0)
          .map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partition) }));
  const answers = new Map<number, DescribeLogDirsResponse>();
  await Promise.all(
    metadata.brokers.map(async (broker) => {
      try {
        const connection = await client.connectionTo({ host: broker.host, port: broker.port });
        answers.set(broker.nodeId, await connection.request(ApiKeys.DescribeLogDirs, { topics: wanted }));
      } catch {
        // Left out: the page shows no size for this broker's replicas.
      }
    }),
  );
  return { sizes: partitionSizes(answers), answered: new Set(answers.keys()) };
}

export async function readQuorum(client: KafkaClient): Promise<QuorumAnswer | { error: string }> {
  try {
    const connection = await client.anyConnection();
    const response = await connection.request(ApiKeys.DescribeQuorum, {
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
    });
    return quorumAnswer(response, Date.now());
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
