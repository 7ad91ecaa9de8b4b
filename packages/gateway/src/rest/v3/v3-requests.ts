/**
 * v3 request bodies turned into client calls, checked beyond what their
 * JSON schemas can say. Pure; a body that cannot become a request throws
 * RestError 400 (Confluent's BadRequestException, code 400 on v3).
 */
import type { ConfigChange, NewTopic } from '@runnel/client';
import { RestError, restErrorCodes } from '../rest-error.ts';

export interface CreateTopicBody {
  topic_name: string;
  partitions_count?: number;
  replication_factor?: number;
  replicas_assignments?: { partition_id: number; broker_ids: number[] }[];
  configs?: { name: string; value?: string | null }[];
  validate_only?: boolean;
}

export interface AlterConfigsBody {
  data: { name: string; value?: string | null; operation?: string | null }[];
  validate_only?: boolean;
}

/** The CreateTopics entry a v3 create asks for; explicit assignments exclude the counts, as Kafka requires. */
export function newTopicFrom(body: CreateTopicBody): NewTopic {
  const assignments = body.replicas_assignments ?? [];
  if (assignments.length > 0 && (body.partitions_count !== undefined || body.replication_factor !== undefined))
    throw new RestError(
      restErrorCodes.badRequest,
      'replicas_assignments cannot be given with partitions_count or replication_factor.',
    );
  const configs: Record<string, string> = {};
  for (const c of body.configs ?? []) if (c.value !== undefined && c.value !== null) configs[c.name] = c.value;
  return {
    name: body.topic_name,
    ...(body.partitions_count === undefined ? {} : { numPartitions: body.partitions_count }),
    ...(body.replication_factor === undefined ? {} : { replicationFactor: body.replication_factor }),
    ...(Object.keys(configs).length === 0 ? {} : { configs }),
    ...(assignments.length === 0
      ? {}
      : { assignments: assignments.map((a) => ({ partition: a.partition_id, brokerIds: a.broker_ids })) }),
  };
}

/**
 * An `:alter` batch as IncrementalAlterConfigs changes: operation SET (the
 * default) needs a value, DELETE resets the config to its default. A name
 * twice in one batch is refused, as Kafka refuses it.
 */
export function configChangesFrom(body: AlterConfigsBody): ConfigChange[] {
  const seen = new Set<string>();
  return body.data.map((entry) => {
    if (seen.has(entry.name))
      throw new RestError(restErrorCodes.badRequest, `Config ${entry.name} appears more than once in the batch.`);
    seen.add(entry.name);
    const operation = (entry.operation ?? 'SET').toUpperCase();
    if (operation === 'DELETE') return { name: entry.name, op: 'delete' };
    if (operation !== 'SET')
      throw new RestError(restErrorCodes.badRequest, `Unknown operation ${entry.operation} for config ${entry.name}.`);
    if (entry.value === undefined || entry.value === null)
      throw new RestError(restErrorCodes.badRequest, `Config ${entry.name} has no value to SET.`);
    return { name: entry.name, op: 'set', value: entry.value };
  });
}
