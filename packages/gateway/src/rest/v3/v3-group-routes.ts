/**
 * Consumer groups (list, one), their consumers (list, one) and each
 * consumer's assignments (list, one), from ListGroups and DescribeGroups
 * through GroupAdmin. Only consumer groups are listed (protocol type
 * "consumer", or none for groups that only commit offsets); a group the
 * coordinator calls Dead is unknown: 404.
 */
import { GroupAdmin, type GroupDescription, type GroupMember, type KafkaClient } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { assignedPartitions, assignmentData, consumerData, groupData, isConsumerGroup } from './v3-group-shapes.ts';
import { throwUnlessNone } from './v3-kafka-errors.ts';
import { collection } from './v3-resources.ts';
import {
  fanOutMax,
  intParam,
  intPathParam,
  mapBounded,
  notFound,
  stringPathParam,
  type V3Call,
  v3Route,
} from './v3-route-kit.ts';

/** The group as its coordinator describes it; 404 when there is no such consumer group. */
export async function knownGroup(client: KafkaClient, groupId: string): Promise<GroupDescription> {
  const group = await new GroupAdmin(client).describeGroup(groupId);
  throwUnlessNone(group.errorCode, null, `consumer group ${groupId}`);
  if (group.state === 'Dead' || !isConsumerGroup(group.protocolType))
    throw notFound(`Consumer Group ${groupId} could not be found.`);
  return group;
}

function knownMember(group: GroupDescription, consumerId: string): GroupMember {
  const member = group.members.find((m) => m.memberId === consumerId);
  if (member === undefined) throw notFound(`Consumer ${consumerId} cannot be found in group ${group.groupId}.`);
  return member;
}

const groupParams = { consumer_group_id: stringPathParam };
const consumerParams = { ...groupParams, consumer_id: stringPathParam };

function ids(call: V3Call): { groupId: string; consumerId: string } {
  return { groupId: call.params.consumer_group_id ?? '', consumerId: call.params.consumer_id ?? '' };
}

export function registerGroupRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups',
    summary: 'List Consumer Groups',
    handler: async (_call, { client, urls }) => {
      const admin = new GroupAdmin(client);
      const listed = (await admin.listGroups()).groups.filter((g) => isConsumerGroup(g.protocolType));
      const described = await mapBounded(listed, fanOutMax, (g) => admin.describeGroup(g.groupId));
      const groups = described
        .filter((g) => g.errorCode === 0 && g.state !== 'Dead')
        .sort((a, b) => a.groupId.localeCompare(b.groupId));
      return collection(
        'KafkaConsumerGroupList',
        urls.url('consumer-groups'),
        groups.map((g) => groupData(urls, g)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id',
    summary: 'Get Consumer Group',
    params: groupParams,
    handler: async (call, { client, urls }) => groupData(urls, await knownGroup(client, ids(call).groupId)),
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/consumers',
    summary: 'List Consumers',
    params: groupParams,
    handler: async (call, { client, urls }) => {
      const group = await knownGroup(client, ids(call).groupId);
      const members = [...group.members].sort((a, b) => a.memberId.localeCompare(b.memberId));
      return collection(
        'KafkaConsumerList',
        urls.url('consumer-groups', group.groupId, 'consumers'),
        members.map((m) => consumerData(urls, group.groupId, m)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/consumers/:consumer_id',
    summary: 'Get Consumer',
    params: consumerParams,
    handler: async (call, { client, urls }) => {
      const { groupId, consumerId } = ids(call);
      const group = await knownGroup(client, groupId);
      return consumerData(urls, groupId, knownMember(group, consumerId));
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/consumers/:consumer_id/assignments',
    summary: 'List Consumer Assignments',
    params: consumerParams,
    handler: async (call, { client, urls }) => {
      const { groupId, consumerId } = ids(call);
      const member = knownMember(await knownGroup(client, groupId), consumerId);
      return collection(
        'KafkaConsumerAssignmentList',
        urls.url('consumer-groups', groupId, 'consumers', consumerId, 'assignments'),
        assignedPartitions(member).map((a) => assignmentData(urls, groupId, consumerId, a.topic, a.partition)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/consumer-groups/:consumer_group_id/consumers/:consumer_id/assignments/:topic_name/partitions/:partition_id',
    summary: 'Get Consumer Assignment',
    params: { ...consumerParams, topic_name: stringPathParam, partition_id: intPathParam },
    handler: async (call, { client, urls }) => {
      const { groupId, consumerId } = ids(call);
      const topic = call.params.topic_name ?? '';
      const partition = intParam(call, 'partition_id');
      const member = knownMember(await knownGroup(client, groupId), consumerId);
      if (!assignedPartitions(member).some((a) => a.topic === topic && a.partition === partition))
        throw notFound(`Consumer ${consumerId} is not assigned partition ${topic}-${partition}.`);
      return assignmentData(urls, groupId, consumerId, topic, partition);
    },
  });
}
