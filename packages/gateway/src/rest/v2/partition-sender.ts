/**
 * Sends one partition's planned batches to its leader, one after another,
 * so the partition's records keep the request's order. Kafka's refusal (or
 * a lost connection) becomes the batch's outcome, not an exception; any
 * other error is a bug and propagates.
 */
import type { KafkaClient } from '@runnel/client';
import { kafkaFailureOf } from './kafka-failure.ts';
import type { PartitionPlan } from './produce-plan.ts';
import type { BatchOutcome } from './produce-results.ts';

/**
 * One partition's batches, one after another. After a refused batch the partition's later batches are not
 * sent but get the same error, so the records that are written are always a prefix of the partition's share.
 */
export async function sendPartition(
  client: Pick<KafkaClient, 'produce'>,
  topic: string,
  plan: PartitionPlan,
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const batch of plan.batches) {
    const previous = outcomes.at(-1);
    if (previous !== undefined && 'error' in previous) {
      outcomes.push({ partition: plan.partition, batch, error: previous.error });
      continue;
    }
    try {
      const result = await client.produce(topic, plan.partition, batch.records, { acks: -1 });
      outcomes.push({ partition: plan.partition, batch, baseOffset: result.baseOffset });
    } catch (error) {
      const failure = kafkaFailureOf(error);
      if (failure === null) throw error;
      outcomes.push({ partition: plan.partition, batch, error: failure });
    }
  }
  return outcomes;
}
