/**
 * A broker whose partitions outnumber its descriptor limit: `runnel dev`
 * runs under `prlimit --nofile=256:256` and hosts a topic of 300 partitions
 * (each segment is three files: 900 files in all). Before the segment
 * file budget every partition held its files open, so the broker ran out
 * of descriptors (EMFILE) part way, and then neither the Kafka port nor the
 * health endpoints answered. Now idle segment files are closed and
 * reopened on use within half the limit: the broker creates the topic,
 * takes a record on every partition and serves them all back, stays under
 * the limit, answers /healthz, stops on SIGTERM, and after a restart (which
 * opens every partition again) serves the records once more. A flood of
 * connections past the limit then finds the listener capped below it:
 * /healthz answers, a well-behaved client is served once the flood ends,
 * and SIGTERM stops the broker during one.
 */

import { createConnection, type Socket } from 'node:net';
import { KafkaClient } from '@runnel/client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, openFileCount, wellBehavedRoundTrip } from '../harness/process-health.ts';

const openFilesLimit = 256;
const partitions = 300;
const topic = 'wide';

const value = (partition: number): string => `<value of ${partition}>`;

/**
 * Fetches every partition from offset 0 (one Fetch each, as a consumer's
 * first poll would); resolves with the partitions whose answer held their
 * record. Cold partitions reopen their files within the budget here.
 */
async function partitionsServed(bootstrap: string): Promise<number> {
  const client = await KafkaClient.connect({ bootstrap, clientId: 'reader' });
  let served = 0;
  try {
    for (let partition = 0; partition < partitions; partition++) {
      const fetched = await client.fetch(topic, partition, 0n);
      if (fetched.errorCode === 0 && fetched.records.includes(Buffer.from(value(partition)))) served++;
    }
  } finally {
    client.close();
  }
  return served;
}

describe(`a broker with ${partitions} partitions under an open-files limit of ${openFilesLimit}`, () => {
  let dev: DevProcess;
  beforeAll(async () => {
    dev = await DevProcess.start({
      args: ['--no-gateway', '--group-initial-rebalance-delay-ms', '0'],
      wrap: ['prlimit', `--nofile=${openFilesLimit}:${openFilesLimit}`, '--'],
    });
  });
  afterAll(async () => {
    await dev?.kill('SIGKILL');
  });

  it('serves produce and fetch on every partition, answers /healthz, stops on SIGTERM and restarts', async () => {
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'writer', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], timeout: 60_000 });
      await producer.connect();
      await producer.send({
        topic,
        messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: value(partition) })),
      });
    } finally {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    }
    expect(await partitionsServed(dev.bootstrap)).toBe(partitions);
    const pid = dev.pid;
    if (pid === null) throw new Error('runnel dev is not running');
    expect(await openFileCount(pid)).toBeLessThan(openFilesLimit);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(dev.logs.some((l) => l.msg === 'segment file budget' && l.segmentFilesMax === openFilesLimit / 2)).toBe(
      true,
    );

    expect(await dev.kill('SIGTERM')).toBe(0);
    await dev.restart();
    expect(await partitionsServed(dev.bootstrap)).toBe(partitions);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
    const restartedPid = dev.pid;
    if (restartedPid === null) throw new Error('runnel dev is not running');
    expect(await openFileCount(restartedPid)).toBeLessThan(openFilesLimit);
    const metrics = await (await fetch(`http://127.0.0.1:${dev.httpPort}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^runnel_log_open_files_max ${openFilesLimit / 2}$`, 'm'));
    expect(Number(/^runnel_log_open_files (\d+)$/m.exec(metrics)?.[1])).toBeLessThanOrEqual(openFilesLimit / 2);
    expect(Number(/^runnel_log_file_evictions_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    // More connections than the limit has descriptors: the listener stops at what is left after the
    // segment files and the reserve, so /healthz still gets a descriptor and SIGTERM still stops it.
    let attack = await connectionFlood(dev.port, openFilesLimit + 50);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    await dev.waitForLog((l) => l.msg === 'connection refused: max.connections reached', 'connections capped');
    expect(await openFileCount(restartedPid)).toBeLessThan(openFilesLimit);
    for (const socket of attack) socket.destroy();
    expect(await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved')).toMatch(/^hello-/);
    attack = await connectionFlood(dev.port, openFilesLimit + 50);
    expect(await dev.kill('SIGTERM')).toBe(0);
    for (const socket of attack) socket.destroy();
  });
});

/** Opens `count` idle connections to `port` (those the broker refuses are closed by it); resolves once all have settled. */
async function connectionFlood(port: number, count: number): Promise<Socket[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = createConnection({ host: '127.0.0.1', port });
          socket.on('error', () => resolve(socket));
          socket.on('connect', () => resolve(socket));
        }),
    ),
  );
  return sockets;
}
