/**
 * A broker whose partitions outnumber its descriptor limit: `runnel dev`
 * runs under `prlimit --nofile=512:512` and hosts a topic of 600 partitions
 * (each segment is three files: 1,800 files in all). Before the segment
 * file budget every partition held its files open, so the broker ran out
 * of descriptors (EMFILE) part way, and then neither the Kafka port nor the
 * health endpoints answered. Now idle segment files are closed and
 * reopened on use within half the limit: the broker creates the topic,
 * takes a record on every partition and serves them all back, stays under
 * the limit, answers /healthz, stops on SIGTERM, and after a restart (which
 * opens every partition again) serves the records once more.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, openFileCount } from '../harness/process-health.ts';

const openFilesLimit = 512;
const partitions = 600;
const topic = 'wide';

/** Reads until it has one record from every partition; resolves with the values by partition. */
async function consumeAll(bootstrap: string, groupId: string): Promise<Map<number, string>> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 1024 });
  const seen = new Map<number, string>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.set(partition, message.value?.toString() ?? '');
            if (seen.size === partitions) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
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
    for (const l of dev?.logs ?? []) if (l.level >= 40) console.log(JSON.stringify(l).slice(0, 400));
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
        messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: `v-${partition}` })),
      });
    } finally {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    }
    const expected = new Map(Array.from({ length: partitions }, (_, p) => [p, `v-${p}`]));
    expect(await consumeAll(dev.bootstrap, 'first')).toEqual(expected);
    const pid = dev.pid;
    if (pid === null) throw new Error('runnel dev is not running');
    expect(await openFileCount(pid)).toBeLessThan(openFilesLimit);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(dev.logs.some((l) => l.msg === 'segment file budget' && l.segmentFilesMax === openFilesLimit / 2)).toBe(
      true,
    );

    expect(await dev.kill('SIGTERM')).toBe(0);
    await dev.restart();
    expect(await consumeAll(dev.bootstrap, 'second')).toEqual(expected);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
    const restartedPid = dev.pid;
    if (restartedPid === null) throw new Error('runnel dev is not running');
    expect(await openFileCount(restartedPid)).toBeLessThan(openFilesLimit);
  });
});
