/**
 * The v3 consumer group and lag routes, checked by rest-v3-admin.test.ts
 * against its cluster: a kafkajs group with lag (groups, consumers,
 * assignments, lags, lag summary) and a transactional producer whose
 * commit markers are not counted as lag.
 */
import { GroupAdmin, type KafkaClient, TransactionalProducer } from '@runnel/client';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { expectV3Error, listData, type V3Session } from '../harness/rest-v3.ts';
import { waitFor } from '../harness/wait.ts';

export interface GroupCheckEnv {
  /** The Kafka bootstrap list of the brokers the clients use. */
  bootstrap(): string;
  /** A client of the cluster, owned by the suite. */
  client(): KafkaClient;
  /** Registers a close for the suite's afterAll. */
  onClose(close: () => Promise<void>): void;
}

export function describeGroupChecks(s: V3Session, env: GroupCheckEnv): void {
  describe('consumer groups and lag', () => {
    const topic = 'v3-lagging';
    const groupId = 'v3-readers';
    let memberId = '';

    it('a kafkajs group that read everything, then paused while 4 more records came, shows its lag', async () => {
      await s.createTopic({ topic_name: topic, partitions_count: 2, replication_factor: 2 });
      // The clients start once both partitions have leaders, so none starts with half the topic.
      await waitFor(
        async () => {
          const partitions = await s.call('GET', `/topics/${topic}/partitions`);
          return partitions.status === 200 && listData(partitions).filter((p) => 'leader' in p).length === 2;
        },
        { what: 'leaders for both partitions' },
      );
      const kafka = new Kafka({
        brokers: env.bootstrap().split(','),
        clientId: 'v3-lag-reader',
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer();
      await producer.connect();
      const send = (n: number) =>
        producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: n }, (_, i) => ({ partition: i % 2, value: `v${i}` })),
        });
      await send(6);
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
      env.onClose(() => consumer.disconnect());
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => {} });
      let last: unknown = null;
      await waitFor(
        async () => {
          const lags = await s.call('GET', `/consumer-groups/${groupId}/lags`);
          last = lags.body;
          return (
            lags.status === 200 && listData(lags).length === 2 && listData(lags).every((l) => l.current_offset === 3)
          );
        },
        { timeoutMs: 30_000, what: 'the group to commit offset 3 on both partitions' },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; the last lags: ${JSON.stringify(last)}`);
      });
      consumer.pause([{ topic }]);
      await send(4);
      await producer.disconnect();
      const lags = await waitFor(
        async () => {
          const answer = listData(await s.call('GET', `/consumer-groups/${groupId}/lags`));
          return answer.every((l) => l.log_end_offset === 5) ? answer : undefined;
        },
        { what: 'the new records to show in the lags' },
      );
      expect(lags.map((l) => [l.partition_id, l.current_offset, l.lag])).toEqual([
        [0, 3, 2],
        [1, 3, 2],
      ]);
      memberId = String(lags[0]?.consumer_id);
      expect(memberId).not.toBe('');
      expect(lags[0]).toMatchObject({
        kind: 'KafkaConsumerLag',
        client_id: 'v3-lag-reader',
        consumer_group_id: groupId,
      });
    });

    it('lists and gets the group, its consumer and its assignments', async () => {
      const groups = listData(await s.call('GET', '/consumer-groups'));
      expect(groups.find((g) => g.consumer_group_id === groupId)).toMatchObject({
        kind: 'KafkaConsumerGroup',
        is_simple: false,
        state: 'STABLE',
        lag_summary: { related: s.url(`/consumer-groups/${groupId}/lag-summary`) },
      });
      const group = await s.call('GET', `/consumer-groups/${groupId}`);
      expect(group.body).toMatchObject({ consumer_group_id: groupId, partition_assignor: expect.any(String) });
      expect((group.body as { coordinator: { related: string } }).coordinator.related).toMatch(/\/brokers\/[123]$/);
      const members = listData(await s.call('GET', `/consumer-groups/${groupId}/consumers`));
      expect(members.map((m) => m.consumer_id)).toEqual([memberId]);
      expect((await s.call('GET', `/consumer-groups/${groupId}/consumers/${memberId}`)).body).toMatchObject({
        kind: 'KafkaConsumer',
        client_id: 'v3-lag-reader',
        assignments: { related: s.url(`/consumer-groups/${groupId}/consumers/${memberId}/assignments`) },
      });
      const assignments = listData(
        await s.call('GET', `/consumer-groups/${groupId}/consumers/${memberId}/assignments`),
      );
      expect(assignments.map((a) => [a.topic_name, a.partition_id])).toEqual([
        [topic, 0],
        [topic, 1],
      ]);
      const one = await s.call(
        'GET',
        `/consumer-groups/${groupId}/consumers/${memberId}/assignments/${topic}/partitions/1`,
      );
      expect(one.body).toMatchObject({
        kind: 'KafkaConsumerAssignment',
        lag: { related: s.url(`/consumer-groups/${groupId}/lags/${topic}/partitions/1`) },
      });
      expectV3Error(await s.call('GET', `/consumer-groups/${groupId}/consumers/nobody`), 404, 404);
      expectV3Error(await s.call('GET', '/consumer-groups/no-such-group'), 404, 404);
    });

    it('gets one partition lag and the lag summary', async () => {
      const one = await s.call('GET', `/consumer-groups/${groupId}/lags/${topic}/partitions/1`);
      expect(one.body).toMatchObject({ partition_id: 1, current_offset: 3, log_end_offset: 5, lag: 2 });
      const summary = await s.call('GET', `/consumer-groups/${groupId}/lag-summary`);
      expect(summary.body).toMatchObject({
        kind: 'KafkaConsumerGroupLagSummary',
        max_lag: 2,
        total_lag: 4,
        max_lag_topic_name: topic,
        max_lag_partition_id: 0,
        max_lag_consumer_id: memberId,
        max_lag_client_id: 'v3-lag-reader',
      });
      expectV3Error(await s.call('GET', `/consumer-groups/${groupId}/lags/${topic}/partitions/9`), 404, 404);
    });

    it("a transactional producer's commit markers are not counted as lag", async () => {
      await s.createTopic({ topic_name: 'v3-txn', partitions_count: 1 });
      const producer = await TransactionalProducer.init(env.client(), { transactionalId: 'v3-txn-writer' });
      const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`t${i}`) }));
      // Two committed transactions of three records: data at 0-2 and 4-6, markers at 3 and 7, end 8.
      await producer.send('v3-txn', 0, records(3));
      await producer.commit();
      await producer.send('v3-txn', 0, records(3));
      await producer.commit();
      const admin = new GroupAdmin(env.client());
      const lagAt = async (offset: bigint) => {
        await admin.commitOffsets('v3-txn-readers', [{ topic: 'v3-txn', partition: 0, offset }]);
        return (await s.call('GET', '/consumer-groups/v3-txn-readers/lags/v3-txn/partitions/0')).body;
      };
      // A reader that took record 6 commits 7, before the last marker: nothing is left to read.
      expect(await lagAt(7n)).toMatchObject({ current_offset: 7, log_end_offset: 8, lag: 0 });
      // From just past the first marker, three records are left, not four offsets.
      expect(await lagAt(4n)).toMatchObject({ current_offset: 4, lag: 3 });
      expect(await lagAt(0n)).toMatchObject({ current_offset: 0, lag: 6 });
      expect((await s.call('GET', '/consumer-groups/v3-txn-readers')).body).toMatchObject({
        is_simple: true,
        state: 'EMPTY',
      });
    });
  });
}
