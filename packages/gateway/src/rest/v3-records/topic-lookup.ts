/**
 * What every records route checks first: the path's cluster id is this
 * cluster's, and the topic exists (its partition count). Throws RestError
 * with the v3 status (404) and Confluent's wording.
 */
import type { KafkaClient } from '@runnel/client';
import type { RestContext } from '../rest-context.ts';
import { RestError } from '../rest-error.ts';

/** The cluster's client once `clusterId` names this cluster. */
export function clusterClient(context: RestContext, clusterId: string): { client: KafkaClient; clusterId: string } {
  const client = context.client();
  const ours = context.clusterId();
  if (ours === null || ours !== clusterId) throw new RestError(404, `Cluster ${clusterId} cannot be found.`);
  return { client, clusterId: ours };
}

/** How long a topic's partition count is reused before Metadata is asked again (Kafka's producers cache it too). */
const partitionsTtlMs = 5000;
const topicsCachedMax = 10_000;

/**
 * Partition counts of existing topics, kept briefly so a stream of single-record requests costs no Metadata
 * round trip each; a topic not found is never kept (it may be created any moment). Owned by the routes.
 */
export class TopicPartitionCache {
  readonly #counts = new Map<string, { partitions: number; expiresMs: number }>();

  /** The topic's partition count; RestError(404) when the topic does not exist. */
  async partitions(client: KafkaClient, topic: string): Promise<number> {
    const cached = this.#counts.get(topic);
    const now = Date.now();
    if (cached !== undefined && cached.expiresMs > now) return cached.partitions;
    const partitions = await topicPartitions(client, topic);
    if (this.#counts.size >= topicsCachedMax) this.#counts.clear();
    this.#counts.set(topic, { partitions, expiresMs: now + partitionsTtlMs });
    return partitions;
  }
}

/** The topic's partition count, asked now; RestError(404) when the topic does not exist. */
export async function topicPartitions(client: KafkaClient, topic: string): Promise<number> {
  const metadata = await client.metadata([topic], { allowAutoTopicCreation: false });
  const info = metadata.topics.find((t) => t.name === topic);
  if (info === undefined || info.errorCode !== 0 || info.partitions.length === 0)
    throw new RestError(404, 'This server does not host this topic-partition.');
  return info.partitions.length;
}
