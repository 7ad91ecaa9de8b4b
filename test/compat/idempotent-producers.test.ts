/**
 * Idempotent producers, as clients enable them by default today: kafkajs
 * (`idempotent: true`) and librdkafka (kcat, `enable.idempotence=true`) get
 * producer ids through InitProducerId and produce; every batch they write
 * carries a distinct producer id and starts at sequence 0. A transactional
 * id is refused with NOT_COORDINATOR while no FindCoordinator has created
 * `__transaction_state` (so no partition of it is led here; transactions
 * are test/e2e/transactions-kafkajs.test.ts's). A real `runnel dev` process.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBatchHeader } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat, kcatReadAll } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

/** The producer id, epoch and base sequence of every batch stored in partition 0 of `topic`. */
async function storedBatches(topic: string): Promise<{ producerId: bigint; epoch: number; baseSequence: number }[]> {
  const dir = join(dev.dataDir, 'broker-1', `${topic}-0`);
  const out: { producerId: bigint; epoch: number; baseSequence: number }[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()) {
    const bytes = await readFile(join(dir, file));
    for (let pos = 0; pos + 61 <= bytes.length; ) {
      const header = readBatchHeader(bytes, pos);
      out.push({ producerId: header.producerId, epoch: header.producerEpoch, baseSequence: header.baseSequence });
      pos += 12 + header.batchLength;
    }
  }
  return out;
}

describe('idempotent producers', () => {
  it('kafkajs and kcat with idempotence on get distinct producer ids and write sequenced batches that read back', async () => {
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'idempotent', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 1 }] });
    await admin.disconnect();
    for (const values of [['a', 'b'], ['c']]) {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const [sent] = await producer.send({ topic: 'idem', acks: -1, messages: values.map((value) => ({ value })) });
      expect(sent?.errorCode).toBe(0);
      await producer.disconnect();
    }
    const produced = await kcat(
      ['-P', '-b', dev.bootstrap, '-t', 'idem', '-p', '0', '-X', 'enable.idempotence=true'],
      'd\ne\n',
    );
    expect(produced.code, produced.stderr).toBe(0);

    const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic: 'idem', format: '%s\n' });
    expect(read.stdout.toString('utf8').split('\n').filter(Boolean)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const batches = await storedBatches('idem');
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const b of batches) expect(b.producerId).toBeGreaterThanOrEqual(0n);
    // Three producers, three ids; each one's first batch starts at sequence 0, epoch 0.
    const firstOfEach = new Map<bigint, { epoch: number; baseSequence: number }>();
    for (const b of batches) if (!firstOfEach.has(b.producerId)) firstOfEach.set(b.producerId, b);
    expect(firstOfEach.size).toBe(3);
    for (const first of firstOfEach.values()) expect(first).toMatchObject({ epoch: 0, baseSequence: 0 });
  });

  it('InitProducerId for a transactional id before __transaction_state exists answers NOT_COORDINATOR; without one, a new id every time', async () => {
    const client = await ProtocolClient.connect(dev.port);
    try {
      const transactional = await client.request(22, 2, { transactionalId: 'txn-1', transactionTimeoutMs: 60_000 });
      expect(transactional).toMatchObject({ errorCode: 16, producerId: -1n });
      const first = await client.request(22, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      // KIP-360: naming the current id and epoch still gets a non-transactional producer a fresh id.
      const second = await client.request(22, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: first.producerId,
        producerEpoch: first.producerEpoch,
      });
      expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      expect(second).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      expect(second.producerId).not.toBe(first.producerId);
    } finally {
      client.close();
    }
  });
});
