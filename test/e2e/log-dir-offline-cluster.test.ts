/**
 * Log-dir failure in a cluster: two brokers (in this process, on real
 * sockets and real files, around a one-voter controller quorum) replicate a
 * topic; the leader's disk fills. Its Produce answers KAFKA_STORAGE_ERROR,
 * its heartbeat reports the directory offline, and the controller moves
 * leadership (and the ISR) to the other broker, which takes the writes.
 * Once the disk has room again the failed broker reopens its log without a
 * restart, catches up as a follower and rejoins the ISR; no acknowledged
 * record is lost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { LocalQuorum } from '@runnel/controller';
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { FullDiskFileSystem } from '../harness/full-disk-file-system.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'replicated';
let dataDir = '';
let quorum: LocalQuorum | null = null;
const brokers: Broker[] = [];

afterAll(async () => {
  for (const broker of brokers) await broker.stop().catch(() => undefined);
  await quorum?.stop();
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

describe('log directory offline in a cluster', () => {
  it('the leader whose disk fills answers KAFKA_STORAGE_ERROR, leadership moves to the other ISR member, and the broker rejoins the ISR once its disk has room', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'runnel-logdir-cluster-'));
    const logger = silentLogger();
    quorum = await LocalQuorum.start({ dataDir: join(dataDir, 'controller-1'), logger });
    const disks = new Map<number, FullDiskFileSystem>();
    for (const nodeId of [1, 2]) {
      const fs = new FullDiskFileSystem();
      disks.set(nodeId, fs);
      brokers.push(
        await Broker.start({
          config: {
            ...defaultBrokerConfig,
            nodeId,
            port: 0,
            httpPort: null,
            replicationPort: 0,
            dataDir: join(dataDir, `broker-${nodeId}`),
            heartbeatIntervalMs: 500,
            replicaLagTimeMaxMs: 5_000,
            logDirProbeIntervalMs: 200,
          },
          controller: quorum.channel().channel,
          logger,
          fs,
        }),
      );
    }
    const bootstrap = brokers.map((b) => `127.0.0.1:${b.port}`);
    const kafka = new Kafka({ brokers: bootstrap, clientId: 'log-dir-cluster', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
      const partitionState = async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions[0];
      await waitFor(async () => ((await partitionState())?.isr.length === 2 ? true : undefined), {
        what: 'both replicas in the ISR',
      });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const acked: string[] = [];
      for (let i = 0; i < 10; i++) {
        await producer.send({ topic, acks: -1, messages: [{ value: `before-${i}` }] });
        acked.push(`before-${i}`);
      }

      const leaderId = (await partitionState())?.leader ?? -1;
      const otherId = leaderId === 1 ? 2 : 1;
      const leader = brokers[leaderId - 1];
      if (leader === undefined) throw new Error(`no broker ${leaderId}`);
      const disk = disks.get(leaderId);
      if (disk === undefined) throw new Error('no disk');
      disk.full = true;
      const client = await ProtocolClient.connect(leader.port);
      try {
        const records = encodeRecordBatchSync({
          records: [{ key: null, value: Buffer.from('refused') }],
          baseTimestamp: 1n,
        });
        const answer = await client.request(0, 9, {
          acks: -1,
          timeoutMs: 5_000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
        });
        expect(answer.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      } finally {
        client.close();
      }
      // The controller moves leadership and the ISR off the broker with the offline directory.
      await waitFor(
        async () => {
          const p = await partitionState();
          return p?.leader === otherId && p.isr.length === 1 && p.isr[0] === otherId ? p : undefined;
        },
        { what: `leadership and the ISR to move to broker ${otherId}` },
      );
      for (let i = 0; i < 10; i++) {
        await producer.send({ topic, acks: -1, messages: [{ value: `during-${i}` }] });
        acked.push(`during-${i}`);
      }

      // Room again: the probe reopens the log, the broker follows, catches up and is added back to the ISR.
      disk.full = false;
      await waitFor(async () => ((await partitionState())?.isr.length === 2 ? true : undefined), {
        what: `broker ${leaderId} back in the ISR`,
      });
      await producer.send({ topic, acks: -1, messages: [{ value: 'after' }] });
      acked.push('after');
      await producer.disconnect();

      const read = await kcatReadAll({ bootstrap: bootstrap.join(','), topic, format: '%s\n' });
      expect(read.code, read.stderr).toBe(0);
      expect(
        read.stdout
          .toString('utf8')
          .split('\n')
          .filter((v) => v !== ''),
      ).toEqual(acked);
    } finally {
      await admin.disconnect();
    }
  });
});
