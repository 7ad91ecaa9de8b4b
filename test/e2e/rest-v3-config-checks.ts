/**
 * The v3 config routes, checked by rest-v3-admin.test.ts against its
 * cluster: topic configs (list, get, PUT, DELETE, configs:alter, every
 * topic's), broker configs (one broker, every broker) and the cluster-wide
 * broker defaults. Expects the topic v3-orders (retention.ms 3600000) and
 * v3-placed to exist.
 */
import { describe, expect, it } from 'vitest';
import { expectV3Error, listData, type V3Session } from '../harness/rest-v3.ts';

export function describeConfigChecks(s: V3Session): void {
  describe('configs', () => {
    it('lists and gets topic configs with source and synonyms; an unknown config or topic is 404', async () => {
      const list = await s.call('GET', '/topics/v3-orders/configs');
      expect(list.body).toMatchObject({ kind: 'KafkaTopicConfigList' });
      const retention = listData(list).find((c) => c.name === 'retention.ms');
      expect(retention).toMatchObject({
        kind: 'KafkaTopicConfig',
        topic_name: 'v3-orders',
        value: '3600000',
        source: 'DYNAMIC_TOPIC_CONFIG',
        is_default: false,
      });
      const one = await s.call('GET', '/topics/v3-orders/configs/cleanup.policy');
      expect(one.body).toMatchObject({ name: 'cleanup.policy', value: 'delete', is_default: true });
      expectV3Error(await s.call('GET', '/topics/v3-orders/configs/no.such.config'), 404, 404);
      expectV3Error(await s.call('GET', '/topics/v3-never/configs'), 404, 40403);
    });

    it('PUT sets a topic config, DELETE resets it, an invalid value is 400 40002', async () => {
      expect((await s.call('PUT', '/topics/v3-orders/configs/max.message.bytes', { value: '2048' })).status).toBe(204);
      expect((await s.call('GET', '/topics/v3-orders/configs/max.message.bytes')).body).toMatchObject({
        value: '2048',
        source: 'DYNAMIC_TOPIC_CONFIG',
      });
      expect((await s.call('DELETE', '/topics/v3-orders/configs/max.message.bytes')).status).toBe(204);
      expect((await s.call('GET', '/topics/v3-orders/configs/max.message.bytes')).body).toMatchObject({
        is_default: true,
      });
      expectV3Error(await s.call('PUT', '/topics/v3-orders/configs/cleanup.policy', { value: 'sideways' }), 400, 40002);
      expectV3Error(await s.call('PUT', '/topics/v3-orders/configs/cleanup.policy', {}), 400, 400);
    });

    it('configs:alter applies SET and DELETE together; validate_only changes nothing', async () => {
      const alter = (body: unknown) => s.call('POST', '/topics/v3-orders/configs:alter', body);
      const dry = await alter({ data: [{ name: 'segment.ms', value: '600000' }], validate_only: true });
      expect(dry.status).toBe(204);
      expect((await s.call('GET', '/topics/v3-orders/configs/segment.ms')).body).toMatchObject({ is_default: true });
      const applied = await alter({
        data: [
          { name: 'segment.ms', value: '600000' },
          { name: 'retention.ms', operation: 'DELETE' },
        ],
      });
      expect(applied.status).toBe(204);
      const configs = listData(await s.call('GET', '/topics/v3-orders/configs'));
      expect(configs.find((c) => c.name === 'segment.ms')).toMatchObject({ value: '600000' });
      expect(configs.find((c) => c.name === 'retention.ms')).toMatchObject({ is_default: true });
      expectV3Error(await alter({ data: [{ name: 'segment.ms', operation: 'APPEND', value: '1' }] }), 400, 400);
    });

    it("lists every topic's configs under topics/-/configs", async () => {
      const all = listData(await s.call('GET', '/topics/-/configs'));
      const topics = new Set(all.map((c) => c.topic_name));
      expect(topics).toContain('v3-orders');
      expect(topics).toContain('v3-placed');
    });

    it('broker configs: list, PUT, get, configs:alter, DELETE, every broker under brokers/-/configs', async () => {
      const name = 'follower.replication.throttled.rate';
      const list = await s.call('GET', '/brokers/2/configs');
      expect(list.body).toMatchObject({ kind: 'KafkaBrokerConfigList' });
      expect(listData(list).some((c) => c.name === name)).toBe(true);
      expect((await s.call('PUT', `/brokers/2/configs/${name}`, { value: '1048576' })).status).toBe(204);
      expect((await s.call('GET', `/brokers/2/configs/${name}`)).body).toMatchObject({
        kind: 'KafkaBrokerConfig',
        broker_id: 2,
        value: '1048576',
        source: 'DYNAMIC_BROKER_CONFIG',
      });
      expect((await s.call('POST', '/brokers/2/configs:alter', { data: [{ name, value: '2097152' }] })).status).toBe(
        204,
      );
      expect((await s.call('GET', `/brokers/2/configs/${name}`)).body).toMatchObject({ value: '2097152' });
      expect((await s.call('DELETE', `/brokers/2/configs/${name}`)).status).toBe(204);
      expect((await s.call('GET', `/brokers/2/configs/${name}`)).body).not.toMatchObject({
        source: 'DYNAMIC_BROKER_CONFIG',
      });
      expectV3Error(await s.call('GET', '/brokers/9/configs'), 404, 404);
      const every = listData(await s.call('GET', '/brokers/-/configs'));
      expect(new Set(every.map((c) => c.broker_id))).toEqual(new Set([1, 2, 3]));
    });

    it('cluster-wide broker configs: PUT, list, get, configs:alter, DELETE', async () => {
      const name = 'replica.fetch.wait.max.ms';
      expect((await s.call('PUT', `/broker-configs/${name}`, { value: '400' })).status).toBe(204);
      const list = await s.call('GET', '/broker-configs');
      expect(list.body).toMatchObject({ kind: 'KafkaClusterConfigList' });
      expect(listData(list).find((c) => c.name === name)).toMatchObject({
        kind: 'KafkaClusterConfig',
        config_type: 'BROKER',
        value: '400',
        source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
      });
      expect((await s.call('POST', '/broker-configs:alter', { data: [{ name, value: '450' }] })).status).toBe(204);
      expect((await s.call('GET', `/broker-configs/${name}`)).body).toMatchObject({ value: '450' });
      expect((await s.call('DELETE', `/broker-configs/${name}`)).status).toBe(204);
      expectV3Error(await s.call('GET', `/broker-configs/${name}`), 404, 404);
    });
  });
}
