/**
 * Consumer groups as Confluent's v3 shapes them: KafkaConsumerGroup,
 * KafkaConsumer (a member) and KafkaConsumerAssignment (one partition a
 * member was given). Pure.
 */
import type { GroupDescription, GroupMember } from '@runnel/client';
import { type Resource, resource, type V3Urls } from './v3-resources.ts';

/** Kafka's group state names as v3 spells them (STABLE, PREPARING_REBALANCE, ...); UNKNOWN otherwise. */
export function groupState(state: string): string {
  const known: Record<string, string> = {
    Stable: 'STABLE',
    PreparingRebalance: 'PREPARING_REBALANCE',
    CompletingRebalance: 'COMPLETING_REBALANCE',
    Empty: 'EMPTY',
    Dead: 'DEAD',
  };
  return known[state] ?? 'UNKNOWN';
}

/** Consumer groups are those of Kafka consumers ("consumer") and simple ones that only commit offsets (""). */
export function isConsumerGroup(protocolType: string): boolean {
  return protocolType === 'consumer' || protocolType === '';
}

export function groupData(urls: V3Urls, group: GroupDescription): Resource<object> {
  const id = group.groupId;
  return resource('KafkaConsumerGroup', urls.url('consumer-groups', id), urls.crn(`consumer-group=${id}`), {
    cluster_id: urls.clusterId,
    consumer_group_id: id,
    // Kafka's admin calls a group simple when it has no protocol type: offsets committed without a membership.
    is_simple: group.protocolType === '',
    partition_assignor: group.protocol,
    state: groupState(group.state),
    coordinator: urls.related('brokers', group.coordinator),
    consumers: urls.related('consumer-groups', id, 'consumers'),
    lag_summary: urls.related('consumer-groups', id, 'lag-summary'),
  });
}

export function consumerData(urls: V3Urls, groupId: string, member: GroupMember): Resource<object> {
  const self = urls.url('consumer-groups', groupId, 'consumers', member.memberId);
  return resource('KafkaConsumer', self, urls.crn(`consumer-group=${groupId}`, `consumer=${member.memberId}`), {
    cluster_id: urls.clusterId,
    consumer_group_id: groupId,
    consumer_id: member.memberId,
    instance_id: member.groupInstanceId,
    client_id: member.clientId,
    assignments: urls.related('consumer-groups', groupId, 'consumers', member.memberId, 'assignments'),
  });
}

/** A member's assigned partitions, by topic then partition. */
export function assignedPartitions(member: GroupMember): { topic: string; partition: number }[] {
  return (member.assignment ?? [])
    .flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function assignmentData(
  urls: V3Urls,
  groupId: string,
  memberId: string,
  topic: string,
  partition: number,
): Resource<object> {
  const self = urls.url(
    'consumer-groups',
    groupId,
    'consumers',
    memberId,
    'assignments',
    topic,
    'partitions',
    partition,
  );
  const name = urls.crn(
    `consumer-group=${groupId}`,
    `consumer=${memberId}`,
    `assignment=${topic}`,
    `partition=${partition}`,
  );
  return resource('KafkaConsumerAssignment', self, name, {
    cluster_id: urls.clusterId,
    consumer_group_id: groupId,
    consumer_id: memberId,
    topic_name: topic,
    partition_id: partition,
    partition: urls.related('topics', topic, 'partitions', partition),
    lag: urls.related('consumer-groups', groupId, 'lags', topic, 'partitions', partition),
  });
}
