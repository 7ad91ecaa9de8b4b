/**
 * A real broker (sockets, logs) on a FaultyFileSystem, restarted under an
 * idempotent producer: after a clean stop, after a power cut (what kill -9
 * leaves at worst: only fsynced bytes, so acknowledged data is fsynced with
 * flush.messages=1), and with its producer-state snapshot corrupted, the
 * restarted broker answers a resent batch with its original offset and
 * stores nothing new.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { ErrorCode, encodeRecordBatchSync, type ProduceRequest } from '@runnel/protocol';
import { FaultyFileSystem } from '@runnel/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolClient } from '../harness/protocol-client.ts';
import {
  brokerOneRegistration,
  clusterIdRecord,
  scriptedChannel,
  singleReplicaTopic,
} from '../harness/scripted-channel.ts';
import { waitFor } from '../harness/wait.ts';

const topicId = '33333333-3333-3333-3333-333333333333';

let realDir: string;
let dataDir: string;
const running: Broker[] = [];
const clients: ProtocolClient[] = [];
beforeEach(async () => {
  realDir = await mkdtemp(join(tmpdir(), 'runnel-idempotent-restart-'));
  dataDir = join(realDir, 'broker-1');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const broker of running.splice(0)) await broker.stop().catch(() => undefined);
  await rm(realDir, { recursive: true, force: true });
});

async function start(fs: FaultyFileSystem): Promise<{ broker: Broker; client: ProtocolClient }> {
  const scripted = scriptedChannel({
    records: [clusterIdRecord, brokerOneRegistration, ...singleReplicaTopic('t', topicId)],
    lastOffset: 3n,
  });
  const broker = await Broker.start({
    config: {
      ...defaultBrokerConfig,
      port: 0,
      httpPort: null,
      replicationPort: 0,
      dataDir,
      logFlushIntervalMessages: 1,
    },
    controller: scripted.channel,
    logger: silentLogger(),
    fs,
  });
  running.push(broker);
  const client = await ProtocolClient.connect(broker.port);
  clients.push(client);
  await waitFor(async () => (await logEnd(client)) !== null, { what: 't-0 led by the broker' });
  return { broker, client };
}

/** The partition's log end offset (ListOffsets latest), or null while the broker does not lead it yet. */
async function logEnd(client: ProtocolClient): Promise<bigint | null> {
  const response = await client.request(2, 1, {
    replicaId: -1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  const partition = response.topics[0]?.partitions[0];
  return partition?.errorCode === ErrorCode.NONE ? (partition.offset ?? null) : null;
}

/** Stops the broker; `lost` marks one whose file system is gone (its stop may fail, as a killed process's would). */
async function stop(broker: Broker, lost = false): Promise<void> {
  running.splice(running.indexOf(broker), 1);
  if (lost) await broker.stop().catch(() => undefined);
  else await broker.stop();
}

function batch(seq: number, value: string): Buffer {
  return encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from(value) }],
    producerId: 1000n,
    producerEpoch: 0,
    baseSequence: seq,
  });
}

async function produce(client: ProtocolClient, records: Buffer) {
  const request: ProduceRequest = {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  };
  const response = await client.request(0, 8, request);
  return response.responses[0]?.partitionResponses[0];
}

/** Three acknowledged batches (offsets 0-2) from producer 1000. */
async function produceThree(client: ProtocolClient): Promise<void> {
  for (const [seq, value] of ['a', 'b', 'c'].entries()) {
    expect(await produce(client, batch(seq, value))).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: BigInt(seq),
    });
  }
}

async function expectResendAnsweredFromState(client: ProtocolClient): Promise<void> {
  expect(await produce(client, batch(1, 'b'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1n });
  expect(await produce(client, batch(2, 'c'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
  expect(await logEnd(client)).toBe(3n);
  expect(await produce(client, batch(3, 'd'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
}

describe('idempotent producer across broker restarts', () => {
  it('after a clean stop the restarted broker answers a resent batch with its original offset', async () => {
    const fs = new FaultyFileSystem();
    const first = await start(fs);
    await produceThree(first.client);
    await stop(first.broker);
    const second = await start(fs);
    await expectResendAnsweredFromState(second.client);
  });

  it('after a power cut (no clean stop) the restarted broker rebuilds the state and still deduplicates', async () => {
    const fs = new FaultyFileSystem();
    const first = await start(fs);
    await produceThree(first.client);
    const crashed = fs.crash();
    await stop(first.broker, true);
    const second = await start(crashed);
    await expectResendAnsweredFromState(second.client);
  });

  it('a corrupt producer-state snapshot is rebuilt from the log at restart', async () => {
    const fs = new FaultyFileSystem();
    const first = await start(fs);
    await produceThree(first.client);
    await stop(first.broker);
    const snapshot = join(dataDir, 't-0', '00000000000000000003.snapshot');
    expect(fs.content(snapshot)).not.toBeNull();
    fs.corrupt(snapshot, 12, 4);
    const second = await start(fs);
    await expectResendAnsweredFromState(second.client);
  });
});
