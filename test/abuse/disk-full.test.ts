/**
 * A full disk under a real `runnel dev` (issue 15: "disk full closes
 * connections instead of answering KAFKA_STORAGE_ERROR, and the partition
 * stays unusable, reads too, after space is freed, until a restart").
 *
 * The broker's log directory is a small tmpfs (we run as root, as CI does;
 * a mount that is not permitted fails the test, it is never skipped). A
 * kafkajs producer fills it until Produce answers KAFKA_STORAGE_ERROR; on
 * one raw connection Produce and Fetch then answer KAFKA_STORAGE_ERROR and
 * the connection stays open; /healthz answers. Deleting a filler file frees
 * space, and without a restart the same partition takes produce and serves
 * fetch again (kcat reads every acknowledged record), and a well-behaved
 * client round-trips. The controller's store stays on the ordinary disk:
 * what is under test is the broker's log directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { httpStatus, rssBytes, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'filled';
/** The broker's log directory: big enough to start, small enough to fill in a few seconds. */
const tmpfsBytes = 24 * 1024 * 1024;
const fillerBytes = 4 * 1024 * 1024;
const valueBytes = 64 * 1024;
/** Far below the 1 GiB: a broker with a full disk must not hold what it could not write. */
const rssBoundBytes = 512 * 1024 * 1024;

let dataDir = '';
let logDir = '';
let mounted = false;
let dev: DevProcess | null = null;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'runnel-disk-full-'));
  logDir = join(dataDir, 'broker-1');
  await mkdir(logDir);
  // Throws (failing the test loudly) where mounting is not permitted.
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsBytes}`, 'tmpfs', logDir]);
  mounted = true;
  await writeFile(join(logDir, 'filler'), Buffer.alloc(fillerBytes, 0x66));
  dev = await DevProcess.start({ dataDir, args: ['--no-gateway', '--group-initial-rebalance-delay-ms', '0'] });
});

afterAll(async () => {
  await dev?.kill('SIGKILL');
  if (mounted) execFileSync('umount', ['-l', logDir]);
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

function running(): DevProcess {
  if (dev === null) throw new Error('runnel dev did not start');
  return dev;
}

/** Every `type` and `name` along a kafkajs error's chain (it wraps the broker's error when retries run out). */
function errorTypes(error: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = error; typeof e === 'object' && e !== null; ) {
    const fields = e as { type?: unknown; name?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof fields.type === 'string') out.push(fields.type);
    if (typeof fields.name === 'string') out.push(fields.name);
    e = fields.originalError ?? fields.cause;
  }
  return out;
}

function produceBody(key: string) {
  const records = encodeRecordBatchSync({
    records: [{ key: Buffer.from(key), value: Buffer.alloc(1024, 0x72) }],
    baseTimestamp: BigInt(Date.now()),
  });
  return { acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

function fetchBody(fetchOffset: bigint) {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
  };
}

/** Produces 4 x 64 KiB per send (kafkajs, no retries) until a send is refused; the keys acknowledged before it. */
async function fill(kafka: Kafka, into: string): Promise<{ acked: string[]; refusal: unknown }> {
  const producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
  await producer.connect();
  const acked: string[] = [];
  let refusal: unknown = null;
  const value = Buffer.alloc(valueBytes, 0x76);
  for (let n = 0; refusal === null; n += 4) {
    expect(n, 'the disk never filled').toBeLessThan((2 * tmpfsBytes) / valueBytes);
    const keys = [n, n + 1, n + 2, n + 3].map((i) => `k-${i}`);
    try {
      await producer.send({ topic: into, acks: -1, messages: keys.map((key) => ({ key, value })) });
      acked.push(...keys);
    } catch (error) {
      refusal = error;
    }
  }
  await producer.disconnect();
  return { acked, refusal };
}

describe('disk full', () => {
  it('answers KAFKA_STORAGE_ERROR with connections open, and serves the same partition again once space is freed, every acknowledged record kept', async () => {
    const broker = running();
    const pid = broker.pid;
    if (pid === null) throw new Error('no pid');
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'disk-filler', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    // Fill the disk: every acknowledged key is remembered; the first refusal ends the loop.
    const { acked, refusal } = await fill(kafka, topic);
    expect(errorTypes(refusal)).toContain('KAFKA_STORAGE_ERROR');
    expect(acked.length).toBeGreaterThan(0);

    // One raw connection: Produce and Fetch answer KAFKA_STORAGE_ERROR, and it stays open for the next request.
    const client = await ProtocolClient.connect(broker.port);
    try {
      const produced = await client.request(0, 9, produceBody('while-full'));
      expect(produced.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      const fetched = await client.request(1, 11, fetchBody(0n));
      expect(fetched.responses[0]?.partitions[0]?.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      const versions = await client.request(18, 3, {
        clientSoftwareName: 'disk-full',
        clientSoftwareVersion: '1',
      });
      expect(versions.errorCode).toBe(ErrorCode.NONE);
      const dirs = await client.request(35, 4, { topics: null });
      expect(dirs.results[0]?.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect(await httpStatus(broker.httpPort, '/healthz')).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${broker.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/^kafka_log_logmanager_offlinelogdirectorycount 1$/m);
      expect(metrics).toMatch(/^runnel_log_storage_errors_total\{code="ENOSPC"\} [1-9]/m);
      expect(await rssBytes(pid)).toBeLessThan(rssBoundBytes);

      // Free space: the probe finds the directory writable and reopens the logs, no restart.
      await unlink(join(logDir, 'filler'));
      await broker.waitForLog((l) => l.msg.startsWith('log directory online again'), 'log directory online again');
      const again = await waitFor(
        async () => {
          const r = await client.request(0, 9, produceBody('after-free'));
          const code = r.responses[0]?.partitionResponses[0]?.errorCode;
          // NOT_LEADER_OR_FOLLOWER only while the reopened partition takes its leadership back.
          return code === ErrorCode.NONE ? r : undefined;
        },
        { what: 'produce to succeed after space was freed' },
      );
      expect(again.responses[0]?.partitionResponses[0]?.baseOffset).toBeGreaterThanOrEqual(BigInt(acked.length));
    } finally {
      client.close();
    }

    // kcat (librdkafka) reads every acknowledged record back, in order, then the one produced after.
    const read = await kcatReadAll({ bootstrap: broker.bootstrap, topic, format: '%k\n' });
    expect(read.code, read.stderr).toBe(0);
    const keys = read.stdout
      .toString('utf8')
      .split('\n')
      .filter((k) => k !== '');
    expect(keys.slice(0, acked.length)).toEqual(acked);
    expect(keys.at(-1)).toBe('after-free');
    expect(await wellBehavedRoundTrip(broker.bootstrap, 'after-disk-full')).toMatch(/^hello-/);
    expect(await rssBytes(pid)).toBeLessThan(rssBoundBytes);
  });

  it('retention keeps working while the disk is full: lowering retention.ms deletes old segments and the directory comes back by itself', async () => {
    const broker = running();
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'retention-filler', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const retained = 'retained';
      await admin.createTopics({
        topics: [{ topic: retained, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1048576' }] }],
        waitForLeaders: true,
      });
      const onlineBefore = broker.logs.filter((l) => l.msg.startsWith('log directory online again')).length;
      const { acked, refusal } = await fill(kafka, retained);
      expect(errorTypes(refusal)).toContain('KAFKA_STORAGE_ERROR');
      expect(acked.length).toBeGreaterThan(16);

      // Nothing else is freed: only retention, applied to the offline logs from their files, makes room.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: retained, configEntries: [{ name: 'retention.ms', value: '1' }] },
        ],
      });
      const deleted = await broker.waitForLog(
        (l) => l.msg === 'retention deleted segments of an offline log' && l.topic === retained,
        'offline retention',
      );
      expect(Number(deleted.deletedSegments)).toBeGreaterThan(0);
      await waitFor(
        () => broker.logs.filter((l) => l.msg.startsWith('log directory online again')).length > onlineBefore,
        { what: 'the log directory to come back after retention' },
      );
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      await producer.send({ topic: retained, acks: -1, messages: [{ key: 'after-retention', value: 'v' }] });
      await producer.disconnect();
      const read = await kcatReadAll({ bootstrap: broker.bootstrap, topic: retained, format: '%k\n' });
      expect(read.code, read.stderr).toBe(0);
      // Retention took the old segments (as it is told to); what is left ends with the new record.
      expect(read.stdout.toString('utf8').trim().split('\n').at(-1)).toBe('after-retention');
    } finally {
      await admin.disconnect();
    }
  });
});
