/**
 * A consumer group's lags (every partition it has committed, or one) and
 * its lag summary (the largest lag and the total): committed offsets from
 * OffsetFetch, ends from ListOffsets under read_committed, and, where the
 * committed offset is behind the end, one small fetch to count the
 * transaction markers in between (v3-lag-math.ts decides). A group with no committed
 * offsets has no lags: 404, as Confluent answers.
 */
import { GroupAdmin, type KafkaClient, KafkaError } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { knownGroup } from './v3-group-routes.ts';
import { lagOf, lagSummary, markerOffsets, type PartitionLag, partitionOwners, sortLags } from './v3-lag-math.ts';
import { collection, resource, type V3Urls } from './v3-resources.ts';
import { fanOutMax, intParam, intPathParam, mapBounded, notFound, stringPathParam, v3Route } from './v3-route-kit.ts';

/**
 * One read past the committed offset: it covers the whole range of a group
 * that is nearly caught up, where a marker is a large share of the lag;
 * a longer lag counts only the markers this much shows.
 */
const markerFetchBytes = 64 * 1024;

async function groupLags(client: KafkaClient, groupId: string): Promise<PartitionLag[]> {
  const group = await knownGroup(client, groupId);
  const committed = (await new GroupAdmin(client).fetchOffsets(groupId)).filter(
    (o) => o.errorCode === 0 && o.offset >= 0n,
  );
  if (committed.length === 0) throw notFound(`Consumer group ${groupId} has no committed offsets.`);
  const ownerOf = partitionOwners(group.members);
  const lags = await mapBounded(committed, fanOutMax, async (c): Promise<PartitionLag | null> => {
    const end = await stableEnd(client, c.topic, c.partition);
    // A partition whose end cannot be read (its topic deleted since the commit) is left out, as Confluent does.
    if (end === null) return null;
    const markers = c.offset < end ? await markersAhead(client, c.topic, c.partition, c.offset, end) : 0n;
    return {
      topic: c.topic,
      partition: c.partition,
      ...ownerOf(c.topic, c.partition),
      currentOffset: c.offset,
      logEndOffset: end,
      lag: lagOf(c.offset, end, markers),
    };
  });
  return sortLags(lags.filter((l): l is PartitionLag => l !== null));
}

async function stableEnd(client: KafkaClient, topic: string, partition: number): Promise<bigint | null> {
  try {
    return (await client.listOffsets(topic, partition, -1n, { isolation: 'read_committed' })).offset;
  } catch (error) {
    if (error instanceof KafkaError) return null;
    throw error;
  }
}

async function markersAhead(
  client: KafkaClient,
  topic: string,
  partition: number,
  from: bigint,
  end: bigint,
): Promise<bigint> {
  const fetched = await client.fetch(topic, partition, from, { maxBytes: markerFetchBytes });
  return fetched.errorCode === 0 ? markerOffsets(fetched.records, from, end) : 0n;
}

function lagData(urls: V3Urls, groupId: string, l: PartitionLag): object {
  const self = urls.url('consumer-groups', groupId, 'lags', l.topic, 'partitions', l.partition);
  const name = urls.crn(`consumer-group=${groupId}`, `lag=${l.topic}`, `partition=${l.partition}`);
  return resource('KafkaConsumerLag', self, name, {
    cluster_id: urls.clusterId,
    consumer_group_id: groupId,
    topic_name: l.topic,
    partition_id: l.partition,
    current_offset: Number(l.currentOffset),
    log_end_offset: Number(l.logEndOffset),
    lag: Number(l.lag),
    consumer_id: l.consumerId,
    instance_id: l.instanceId,
    client_id: l.clientId,
  });
}

const groupParams = { consumer_group_id: stringPathParam };

export function registerLagRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/lags',
    summary: 'List Consumer Lags (end = last stable offset; transaction markers are not lag)',
    params: groupParams,
    handler: async (call, { client, urls }) => {
      const groupId = call.params.consumer_group_id ?? '';
      const lags = await groupLags(client, groupId);
      return collection(
        'KafkaConsumerLagList',
        urls.url('consumer-groups', groupId, 'lags'),
        lags.map((l) => lagData(urls, groupId, l)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/lags/:topic_name/partitions/:partition_id',
    summary: 'Get Consumer Lag',
    params: { ...groupParams, topic_name: stringPathParam, partition_id: intPathParam },
    handler: async (call, { client, urls }) => {
      const groupId = call.params.consumer_group_id ?? '';
      const topic = call.params.topic_name ?? '';
      const partition = intParam(call, 'partition_id');
      const found = (await groupLags(client, groupId)).find((l) => l.topic === topic && l.partition === partition);
      if (found === undefined) throw notFound(`Consumer group ${groupId} has no lag on ${topic}-${partition}.`);
      return lagData(urls, groupId, found);
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/lag-summary',
    summary: 'Get Consumer Group Lag Summary (max and total lag)',
    params: groupParams,
    handler: async (call, { client, urls }) => {
      const groupId = call.params.consumer_group_id ?? '';
      const summary = lagSummary(await groupLags(client, groupId));
      if (summary === null) throw notFound(`Consumer group ${groupId} has no committed offsets.`);
      const { max } = summary;
      const self = urls.url('consumer-groups', groupId, 'lag-summary');
      return resource('KafkaConsumerGroupLagSummary', self, urls.crn(`consumer-group=${groupId}`, 'lag-summary'), {
        cluster_id: urls.clusterId,
        consumer_group_id: groupId,
        max_lag_consumer_id: max.consumerId,
        max_lag_instance_id: max.instanceId,
        max_lag_client_id: max.clientId,
        max_lag_topic_name: max.topic,
        max_lag_partition_id: max.partition,
        max_lag: Number(max.lag),
        total_lag: Number(summary.totalLag),
        max_lag_consumer: urls.related('consumer-groups', groupId, 'consumers', max.consumerId),
        max_lag_partition: urls.related('topics', max.topic, 'partitions', max.partition),
      });
    },
  });
}
