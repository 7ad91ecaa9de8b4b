/**
 * Admin requests sent to one broker of a 3-controller / 3-broker cluster of
 * real processes reach the controller quorum: after kafkajs grows a topic
 * and alters its config through broker 2, every broker reports the same
 * partition count and the same config, and DescribeCluster on every broker
 * names the active controller and all three brokers.
 */
import { Kafka, ConfigResourceTypes as KafkaJsResourceTypes, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'quorum-admin';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 3, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
});

/** Asks broker `brokerId` directly (no client routing) for the topic's retention.ms and its source. */
async function retentionSeenBy(brokerId: number): Promise<{ value: string | null; source: number } | undefined> {
  const client = await ProtocolClient.connect(cluster.ports('broker', brokerId).kafka);
  try {
    const response = await client.request(32, 1, {
      resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms'] }],
      includeSynonyms: false,
    });
    const config = response.results[0]?.configs[0];
    return config === undefined ? undefined : { value: config.value, source: config.configSource };
  } finally {
    client.close();
  }
}

describe('admin requests through a broker of a quorum cluster', () => {
  it('CreatePartitions and AlterConfigs sent to broker 2 commit in the quorum; all brokers then agree on 5 partitions and the new retention.ms', async () => {
    const kafka = new Kafka({
      brokers: [cluster.bootstrap([2])],
      clientId: 'quorum-admin',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }] })).toBe(true);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: KafkaJsResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '123456' }] },
        ],
      });
    } finally {
      await admin.disconnect();
    }

    for (const broker of [1, 2, 3]) {
      const partitions = await waitFor(
        async () => {
          const metadata = await cluster.metadata(broker, topic);
          const list = metadata.topics.find((t) => t.topic === topic)?.partitions ?? [];
          return list.length === 5 && list.every((p) => p.leader > 0) ? list : undefined;
        },
        { what: `broker ${broker} to report 5 partitions with leaders` },
      );
      for (const p of partitions) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      const retention = await waitFor(
        async () => {
          const seen = await retentionSeenBy(broker);
          return seen?.value === '123456' ? seen : undefined;
        },
        { what: `broker ${broker} to report retention.ms=123456` },
      );
      expect(retention.source).toBe(1); // TOPIC_CONFIG
    }
  });

  it('DescribeCluster on every broker names the active controller and lists the three brokers', async () => {
    const active = await cluster.waitForActiveController();
    for (const broker of [1, 2, 3]) {
      const client = await ProtocolClient.connect(cluster.ports('broker', broker).kafka);
      try {
        const response = await client.request(60, 0, { includeClusterAuthorizedOperations: false });
        expect(response.errorCode).toBe(0);
        expect(response.controllerId).toBe(active);
        expect(response.brokers.map((b) => b.brokerId).sort()).toEqual([1, 2, 3]);
      } finally {
        client.close();
      }
    }
  });
});
