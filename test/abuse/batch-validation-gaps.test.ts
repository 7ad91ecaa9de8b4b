/**
 * The batch validation gaps, sent by a hostile client over a raw
 * connection to a real `runnel dev`: a compressed batch claiming 2^31-1
 * records (it once moved the log end offset from 3 to 2,147,483,650), a
 * control batch, two batches for one partition in a v3+ request, a gzip
 * batch whose payload is not gzip, and (a check Runnel lacked) records past
 * message.timestamp.after.max.ms. Each is refused with Kafka's code and a
 * message (and record errors where Kafka gives them), nothing is stored (the log end offset stays 3), the attacker's
 * connection stays open, and the broker keeps serving a well-behaved
 * client with its health endpoints answering and RSS under 512 MiB.
 */
import { ErrorCode, encodeRecordBatchSync, type ProduceResponse } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { controlBatch, countClaimBatch, plainBatch, undecodableBatch } from '../harness/hostile-batches.ts';
import { httpStatus, rssBytes, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

const topic = 'victim';
const rssBytesMax = 512 * 1024 * 1024;
let dev: DevProcess;
let client: ProtocolClient;

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway'] });
  client = await ProtocolClient.connect(dev.port);
  expect(await client.createTopic(topic, 1)).toBe(ErrorCode.NONE);
  expect((await produce(plainBatch(3), 9)).errorCode).toBe(ErrorCode.NONE);
}, 60_000);

afterAll(async () => {
  client?.close();
  await dev?.kill('SIGKILL');
});

type PartitionAnswer = ProduceResponse['responses'][number]['partitionResponses'][number];

async function produce(records: Buffer, version: number): Promise<PartitionAnswer> {
  const response = await client.request(0, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const answer = response.responses[0]?.partitionResponses[0];
  if (answer === undefined) throw new Error('no partition in the produce answer');
  return answer;
}

async function logEndOffset(): Promise<bigint | undefined> {
  const response = await client.request(2, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1 }] }],
  });
  return response.topics[0]?.partitions[0]?.offset;
}

describe('batch validation gaps (issue 15)', () => {
  it('a gzip batch claiming 2^31-1 records gets INVALID_RECORD and the log end offset stays 3', async () => {
    const answer = await produce(countClaimBatch(), 9);
    expect(answer.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(answer.errorMessage).toMatch(/declares 2147483647 records/);
    expect(await logEndOffset()).toBe(3n);
  });

  it('a control batch from a client gets INVALID_RECORD and nothing is stored', async () => {
    const answer = await produce(controlBatch(), 9);
    expect(answer).toMatchObject({
      errorCode: ErrorCode.INVALID_RECORD,
      errorMessage: expect.stringMatching(/control/),
    });
    expect(await logEndOffset()).toBe(3n);
  });

  it.each([3, 9])('two batches for one partition in a Produce v%i request get INVALID_RECORD', async (version) => {
    const answer = await produce(Buffer.concat([plainBatch(1), plainBatch(1)]), version);
    expect(answer.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(await logEndOffset()).toBe(3n);
  });

  it('a gzip batch whose payload does not decode gets CORRUPT_MESSAGE and nothing is stored', async () => {
    const answer = await produce(undecodableBatch(), 9);
    expect(answer).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: expect.stringMatching(/gzip/) });
    expect(await logEndOffset()).toBe(3n);
  });

  it('records timestamped two hours ahead get INVALID_TIMESTAMP with a record error each (message.timestamp.after.max.ms)', async () => {
    const future = encodeRecordBatchSync({
      baseTimestamp: BigInt(Date.now()),
      records: [
        { key: Buffer.from('now'), value: Buffer.from('ok') },
        { key: Buffer.from('later'), value: Buffer.from('too late'), timestampDelta: 2n * 3_600_000n },
      ],
    });
    const answer = await produce(future, 9);
    expect(answer.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(answer.recordErrors?.map((e) => e.batchIndex)).toEqual([1]);
    expect(answer.recordErrors?.[0]?.batchIndexErrorMessage).toMatch(/outside the accepted range/);
    expect(await logEndOffset()).toBe(3n);
  });

  it('the broker stays healthy: the attacker still served on its connection, a kafkajs client served, health endpoints up, RSS bounded, refusals logged', async () => {
    expect((await produce(plainBatch(2), 9)).errorCode).toBe(ErrorCode.NONE);
    expect(await logEndOffset()).toBe(5n);
    expect(await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved')).toMatch(/^hello-/);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
    const pid = dev.pid;
    if (pid === null) throw new Error('runnel dev is not running');
    expect(await rssBytes(pid)).toBeLessThan(rssBytesMax);
    expect(dev.logs.filter((l) => l.msg === 'rejected produce batch').length).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
