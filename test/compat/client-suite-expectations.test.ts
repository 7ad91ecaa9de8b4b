/**
 * What the client libraries' own test suites (run against a Runnel cluster
 * each compat round) need from the broker beyond what the per-API tests
 * pin: kafka-python 3.x must take Runnel for Kafka 4.x from its ApiVersions
 * answer; its admin turns config types and sources into enums (a value
 * outside Kafka's lists raises); @platformatic/kafka's admin asks for "all
 * configs" with an empty key list and edits list configs with APPEND and
 * SUBTRACT; kafka-python deletes a mix of empty, active and unknown groups
 * in one DeleteGroups call and expects one error per group. Real clients
 * and a real `runnel dev` process.
 */
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  Consumer,
  IncrementalAlterConfigOperationTypes,
  type incrementalAlterConfigsV1,
  stringDeserializers,
} from '@platformatic/kafka';
import { ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kafkaPythonInferredRelease } from '../harness/kafka-python-probes.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;
let admin: Admin;

beforeAll(async () => {
  dev = await DevProcess.start();
  admin = new Admin({ clientId: 'suite-expectations', bootstrapBrokers: [dev.bootstrap] });
});

afterAll(async () => {
  await admin?.close();
  await dev?.kill('SIGTERM');
});

describe('what the client suites expect', () => {
  it('kafka-python 3.x reads the ApiVersions v4 answer as Kafka 4.1; one capped row drops it to an older release', async () => {
    const client = await ProtocolClient.connect(dev.port);
    try {
      const answer = await client.request(18, 4, { clientSoftwareName: 'kafka-python', clientSoftwareVersion: '3' });
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      expect(kafkaPythonInferredRelease(answer.apiKeys)).toBe('4.1');
      // The rows that decide it: Produce stopping at v12 falls to the 4.0 row, and then ListOffsets
      // stopping at v9 falls to 3.9.
      const cap = (keys: typeof answer.apiKeys, apiKey: number, maxVersion: number) =>
        keys.map((k) => (k.apiKey === apiKey ? { ...k, maxVersion } : k));
      const noProduce13 = cap(answer.apiKeys, 0, 12);
      expect(kafkaPythonInferredRelease(noProduce13)).toBe('4.0');
      expect(kafkaPythonInferredRelease(cap(noProduce13, 2, 9))).toBe('3.9');
    } finally {
      client.close();
    }
  });

  it('DescribeConfigs v4 with an empty key list answers every config, with types and sources inside the enums clients convert them to', async () => {
    const topic = 'suite-configs-all';
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const described = await admin.describeConfigs({
      resources: [
        { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [] },
        { resourceType: ConfigResourceTypes.BROKER, resourceName: '1', configurationKeys: [] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(described.map((r) => r.resourceName)).toEqual([topic, '1']);
    for (const resource of described) {
      // Kafka treats an empty key list as "all keys", as a null one (platformatic's suite relies on it).
      expect(resource.configs.length, resource.resourceName).toBeGreaterThan(10);
      for (const config of resource.configs) {
        // kafka-python's ConfigType covers 0-9 and ConfigSourceType 0-8: anything else raises in describe_configs.
        expect(config.configType, config.name).toBeGreaterThanOrEqual(1);
        expect(config.configType, config.name).toBeLessThanOrEqual(9);
        expect(config.configSource, config.name).toBeGreaterThanOrEqual(1);
        expect(config.configSource, config.name).toBeLessThanOrEqual(8);
        // Not asked for, so neither is sent.
        expect(config.synonyms, config.name).toEqual([]);
        expect(config.documentation, config.name).toBeNull();
      }
    }
    expect(described[0]?.configs.find((c) => c.name === 'cleanup.policy')).toMatchObject({
      value: 'delete',
      configSource: ConfigSources.DEFAULT_CONFIG,
    });
  });

  it('IncrementalAlterConfigs APPEND and SUBTRACT edit a list config item by item; DELETE falls back to the default', async () => {
    const topic = 'suite-configs-list';
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const Op = IncrementalAlterConfigOperationTypes;
    const name = 'cleanup.policy';
    const apply = async (change: incrementalAlterConfigsV1.IncrementalAlterConfigsRequestConfig) => {
      await admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configs: [change],
          },
        ],
        validateOnly: false,
      });
      const [resource] = await admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [name] }],
      });
      const config = resource?.configs[0];
      return [config?.value, config?.configSource];
    };
    expect(await apply({ name, configOperation: Op.SET, value: 'compact' })).toEqual([
      'compact',
      ConfigSources.TOPIC_CONFIG,
    ]);
    expect(await apply({ name, configOperation: Op.APPEND, value: 'delete' })).toEqual([
      'compact,delete',
      ConfigSources.TOPIC_CONFIG,
    ]);
    // Appending an item already there leaves the list as it is.
    expect(await apply({ name, configOperation: Op.APPEND, value: 'delete' })).toEqual([
      'compact,delete',
      ConfigSources.TOPIC_CONFIG,
    ]);
    expect(await apply({ name, configOperation: Op.SUBTRACT, value: 'compact' })).toEqual([
      'delete',
      ConfigSources.TOPIC_CONFIG,
    ]);
    expect(await apply({ name, configOperation: Op.DELETE })).toEqual(['delete', ConfigSources.DEFAULT_CONFIG]);
  });

  it('one DeleteGroups call over an empty, an active and an unknown group answers NONE, NON_EMPTY_GROUP and GROUP_ID_NOT_FOUND', async () => {
    const topic = 'suite-groups';
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const active = new Consumer({
      groupId: 'suite-active',
      clientId: 'suite-active',
      bootstrapBrokers: [dev.bootstrap],
      deserializers: stringDeserializers,
    });
    const leaving = new Consumer({
      groupId: 'suite-empty',
      clientId: 'suite-empty',
      bootstrapBrokers: [dev.bootstrap],
      deserializers: stringDeserializers,
    });
    const client = await ProtocolClient.connect(dev.port);
    try {
      const activeStream = await active.consume({ topics: [topic], mode: 'earliest', maxWaitTime: 200 });
      const leavingStream = await leaving.consume({ topics: [topic], mode: 'earliest', maxWaitTime: 200 });
      await leavingStream.close();
      await leaving.close();
      await waitFor(
        async () => {
          const groups = await admin.listGroups();
          return groups.get('suite-empty')?.state === 'Empty' && groups.get('suite-active')?.state === 'Stable';
        },
        { what: 'one group empty and one stable' },
      );
      const response = await client.request(42, 2, { groupsNames: ['suite-empty', 'suite-active', 'suite-never'] });
      expect(response.results.map((r) => [r.groupId, r.errorCode])).toEqual([
        ['suite-empty', ErrorCode.NONE],
        ['suite-active', ErrorCode.NON_EMPTY_GROUP],
        ['suite-never', ErrorCode.GROUP_ID_NOT_FOUND],
      ]);
      const left = await admin.listGroups();
      expect([left.has('suite-empty'), left.has('suite-active')]).toEqual([false, true]);
      await activeStream.close();
    } finally {
      client.close();
      await active.close();
    }
  });
});
