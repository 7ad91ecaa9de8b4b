/**
 * The broker-facing ControllerService as a handler table: each RPC is one
 * line that runs a pure function of logic/ as an operation of the queue
 * (so it is computed against the latest image, committed, and answered
 * with the offset its records reached). FetchMetadata streams the
 * committed log from the state machine; it is served by every controller,
 * active or not.
 *
 * The table's type (ControllerServiceHandler) is derived from the
 * operation table of @runnel/rpc (controller-ops.ts), so a new operation
 * there fails to compile until it has its line here (see
 * docs/architecture.md, "The contract").
 */

import type { Logger, Result } from '@runnel/common';
import { ok } from '@runnel/common';
import type {
  ClusterDescription,
  ConfigMap,
  MetadataImage,
  MetadataRecord,
  UpdateFeaturesError,
} from '@runnel/metadata';
import { replayBatch, zeroUuid } from '@runnel/metadata';
import type { ControllerServiceHandler } from '@runnel/rpc';
import { alterClientQuotas } from '../logic/alter-client-quotas.ts';
import { alterConfigs } from '../logic/alter-configs.ts';
import { alterPartition } from '../logic/alter-partition.ts';
import { electOfflineLeaders } from '../logic/broker-fencing.ts';
import { createPartitions } from '../logic/create-partitions.ts';
import type { TopicDefaults } from '../logic/create-topics.ts';
import { clusterTopicDefaults, createTopics } from '../logic/create-topics.ts';
import { brokerStatuses, decommissionBroker } from '../logic/decommission.ts';
import { deleteTopics } from '../logic/delete-topics.ts';
import { describeQuorum, type QuorumInputs } from '../logic/describe-quorum.ts';
import { updateFeatures } from '../logic/features.ts';
import { clusterPartitionLimits } from '../logic/partition-limits.ts';
import { preferredLeaderElections } from '../logic/preferred-leaders.ts';
import { allocateProducerIds } from '../logic/producer-ids.ts';
import { alterPartitionReassignments, listPartitionReassignments } from '../logic/reassignment.ts';
import type { BrokerSessionKeeper } from './broker-session-keeper.ts';
import type { ControllerDuties } from './controller-duties.ts';
import type { MetadataStateMachine } from './metadata-state-machine.ts';
import type { OperationQueue } from './operation-queue.ts';

export interface ControllerServiceDeps {
  readonly nodeId: number;
  readonly queue: OperationQueue;
  readonly sessions: BrokerSessionKeeper;
  readonly duties: ControllerDuties;
  readonly stateMachine: MetadataStateMachine;
  readonly topicDefaults: TopicDefaults;
  readonly brokerConfig: ConfigMap;
  readonly topicIdGenerator: () => string;
  readonly logger: Logger;
  /** What the quorum looks like now, beyond the image (DescribeQuorum). */
  readonly quorum: () => Omit<QuorumInputs, 'brokers' | 'nowMs'>;
}

/** Records for validate-only calls are computed (to answer) but never committed. */
function unlessValidateOnly<R>(validateOnly: boolean, records: R[]): R[] {
  return validateOnly ? [] : records;
}

export function controllerServiceHandler(deps: ControllerServiceDeps): ControllerServiceHandler {
  const { queue, sessions, brokerConfig } = deps;
  return {
    registerBroker: (req) => queue.submit('register_broker', (image) => sessions.register(image, req)),
    brokerHeartbeat: (req) => queue.submit('broker_heartbeat', (image) => sessions.heartbeat(image, req)),
    fetchMetadata: (afterOffset, sink) => streamMetadata(deps.stateMachine, afterOffset, sink),
    createTopics: ({ topics, validateOnly }) =>
      queue.submit('create_topics', (image) => {
        const { records, results } = createTopics(
          image,
          topics,
          clusterTopicDefaults(image, deps.topicDefaults),
          deps.topicIdGenerator,
          clusterPartitionLimits(image),
        );
        if (!validateOnly) return { records, value: results };
        // Validate-only creates write nothing and report the zero id, as Kafka does.
        const value = results.map(({ name, result }) =>
          result.ok ? { name, result: ok({ ...result.value, topicId: zeroUuid }) } : { name, result },
        );
        return { records: [], value };
      }),
    deleteTopics: ({ names, topicIds }) =>
      queue.submit('delete_topics', (image) => {
        const { records, results } = deleteTopics(image, names, topicIds ?? []);
        return { records, value: results };
      }),
    createPartitions: ({ topics, validateOnly }) =>
      queue.submit('create_partitions', (image) => {
        const { records, results } = createPartitions(image, topics, clusterPartitionLimits(image));
        return { records: unlessValidateOnly(validateOnly, records), value: results };
      }),
    alterConfigs: ({ resources, validateOnly }) =>
      queue.submit('incremental_alter_configs', (image) => {
        const { records: changes, results } = alterConfigs(image, resources);
        // A topic may now allow unclean election (or need fewer in sync): its offline partitions elect at once.
        const changed = replayBatch(image, changes, image.lastOffset + BigInt(changes.length));
        const records = changes.length === 0 ? [] : [...changes, ...electOfflineLeaders(changed, brokerConfig)];
        const value = resources.map((r, i) => ({
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          result: results[i] ?? ok(null),
        }));
        return { records: unlessValidateOnly(validateOnly, records), value };
      }),
    alterPartition: (req) =>
      queue.submit('alter_partition', (image) => {
        const { records, result } = alterPartition(image, req, brokerConfig);
        return { records, value: result };
      }),
    alterPartitionReassignments: ({ reassignments }) =>
      queue.submit('alter_partition_reassignments', (image) => {
        const { records, results } = alterPartitionReassignments(
          image,
          reassignments,
          'operator',
          clusterPartitionLimits(image),
        );
        return { records, value: results };
      }),
    // Reads are queued like writes so the answer reflects every operation accepted before them.
    listPartitionReassignments: ({ query }) =>
      queue.submit('list_partition_reassignments', (image) => ({
        records: [],
        value: listPartitionReassignments(image, query),
      })),
    electLeaders: ({ partitions }) =>
      queue.submit('elect_leaders', (image) => {
        const { records, results } = preferredLeaderElections(image, { partitions });
        return { records, value: results };
      }),
    describeBrokers: () => queue.submit('describe_brokers', (image) => ({ records: [], value: brokerStatuses(image) })),
    decommissionBroker: ({ brokerId, cancel }) =>
      queue.submit('decommission_broker', (image) => {
        const { records, result } = decommissionBroker(image, brokerId, { cancel });
        if (result.ok && !cancel) {
          deps.logger.info({ broker: brokerId, state: result.value.state }, 'broker decommission started');
          deps.duties.balanceSoon();
        }
        return { records, value: result };
      }),
    updateFeatures: ({ updates, validateOnly }) =>
      queue.submit(
        'update_features',
        (image): { records: MetadataRecord[]; value: Result<null, UpdateFeaturesError> } => {
          const result = updateFeatures(image, updates);
          if (!result.ok) return { records: [], value: result };
          if (!validateOnly && result.value.length > 0) {
            deps.logger.info({ updates: updates.map((u) => `${u.feature}=${u.maxVersionLevel}`) }, 'features updated');
          }
          return { records: unlessValidateOnly(validateOnly, result.value), value: ok(null) };
        },
      ),
    alterClientQuotas: ({ entries, validateOnly }) =>
      queue.submit('alter_client_quotas', (image) => {
        const { records, results } = alterClientQuotas(image, entries);
        if (!validateOnly && records.length > 0) deps.logger.info({ changes: records.length }, 'client quotas altered');
        return { records: unlessValidateOnly(validateOnly, records), value: results };
      }),
    describeQuorum: () =>
      queue.submit('describe_quorum', (image) => ({
        records: [],
        value: describeQuorum(image, { ...deps.quorum(), brokers: sessions.heartbeats, nowMs: Date.now() }),
      })),
    describeCluster: () => queue.submit('describe_cluster', (image) => ({ records: [], value: describe(deps, image) })),
    allocateProducerIds: (req) =>
      queue.submit('allocate_producer_ids', (image) => {
        const { records, result } = allocateProducerIds(image, req);
        return { records, value: result };
      }),
  };
}

function describe(deps: ControllerServiceDeps, image: MetadataImage): ClusterDescription {
  return {
    clusterId: image.clusterId ?? '',
    controllerId: deps.nodeId,
    brokers: image.brokers().map((b) => ({
      brokerId: b.brokerId,
      brokerEpoch: b.brokerEpoch,
      listeners: b.listeners,
      rack: b.rack,
      fenced: b.fenced,
    })),
    metadataOffset: image.lastOffset,
  };
}

type Sink = Parameters<ControllerServiceHandler['fetchMetadata']>[1];

/** Pushes what the state machine has after `afterOffset` (a snapshot first when that is gone), then each new commit. */
function streamMetadata(
  stateMachine: MetadataStateMachine,
  afterOffset: bigint,
  sink: Sink,
): ReturnType<ControllerServiceHandler['fetchMetadata']> {
  let offset = afterOffset;
  let stopped = false;
  const pump = (): void => {
    if (stopped) return;
    const next = stateMachine.catchUp(offset);
    if (next.kind === 'snapshot') {
      sink.snapshot(next.records, next.lastOffset);
      offset = next.lastOffset;
      pump();
      return;
    }
    for (const batch of next.batches) {
      sink.batch(batch);
      offset = batch.lastOffset;
    }
  };
  const unsubscribe = stateMachine.onChange(pump);
  pump();
  return {
    status: 'ok',
    stop: () => {
      stopped = true;
      unsubscribe();
    },
  };
}
