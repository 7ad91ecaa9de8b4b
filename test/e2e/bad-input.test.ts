/**
 * Bad input against a real `runnel dev` process. Each case gets the right
 * Kafka error code, or a closed connection with a log line saying why, and
 * a client on another connection keeps being served throughout.
 */

import { Random } from '@runnel/common';
import {
  decodeResponseFrame,
  ErrorCode,
  encodeRecordBatchSync,
  encodeRequestFrame,
  type MetadataResponse,
  type ProduceResponse,
} from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { RawSocket } from '../harness/raw-socket.ts';

let dev: DevProcess;
let bystander: RawSocket;
let correlation = 1000;

beforeAll(async () => {
  dev = await DevProcess.start();
  bystander = await RawSocket.connect(dev.port);
});

afterAll(async () => {
  bystander?.close();
  await dev?.kill('SIGTERM');
});

function frame(apiKey: number, apiVersion: number, body: object): Buffer {
  return Buffer.concat(
    encodeRequestFrame({ apiKey, apiVersion, correlationId: correlation++, clientId: 'bad-input-test' }, body),
  );
}

/** A well-behaved client on its own connection still gets answers. */
async function bystanderIsServed(): Promise<void> {
  const correlationId = correlation;
  bystander.send(frame(3, 1, { topics: [] }));
  const response = await bystander.nextFrame();
  const decoded = decodeResponseFrame(3, 1, response);
  expect(decoded.correlationId).toBe(correlationId);
  expect((decoded.body as unknown as MetadataResponse).brokers.length).toBe(1);
}

/** A 4-byte frame size prefix. */
function sizePrefix(sizeBytes: number): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(sizeBytes);
  return size;
}

/** A size-prefixed v1 request header (null client id) with no body. */
function headerOnlyFrame(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(-1, 8);
  return Buffer.concat([sizePrefix(header.length), header]);
}

async function expectClosedWithLog(socket: RawSocket, logPattern: RegExp): Promise<void> {
  await socket.waitClosed();
  await dev.waitForLog(
    (l) => logPattern.test(`${l.msg} ${String(l.reason ?? '')} ${String(l.error ?? '')}`),
    String(logPattern),
  );
  await bystanderIsServed();
}

async function produce(topic: string, records: Buffer): Promise<ProduceResponse> {
  const socket = await RawSocket.connect(dev.port);
  socket.send(
    frame(0, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    }),
  );
  const response = decodeResponseFrame(0, 7, await socket.nextFrame());
  socket.close();
  return response.body as unknown as ProduceResponse;
}

describe('bad input', () => {
  it('random bytes close the connection with a log line', async () => {
    const socket = await RawSocket.connect(dev.port);
    const random = new Random(42);
    const body = random.bytes(996);
    socket.send([sizePrefix(body.length), body]);
    await expectClosedWithLog(socket, /bad request|closing connection/);
  });

  it('a frame truncated inside its header closes the connection', async () => {
    const socket = await RawSocket.connect(dev.port);
    const whole = frame(3, 1, { topics: [{ name: 'some-topic' }] });
    const cut = whole.subarray(4, 14); // api key, version, correlation id and half the client id
    socket.send([sizePrefix(cut.length), cut]);
    await expectClosedWithLog(socket, /malformed/);
  });

  it('a peer that disconnects mid-frame does not disturb the broker', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(frame(3, 1, { topics: [] }).subarray(0, 12));
    socket.close();
    await bystanderIsServed();
  });

  it('an oversized length prefix closes the connection before reading the body', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(sizePrefix(200 * 1024 * 1024));
    await expectClosedWithLog(socket, /socket\.request\.max\.bytes/);
  });

  it('a negative length prefix closes the connection', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(sizePrefix(-5));
    await expectClosedWithLog(socket, /socket\.request\.max\.bytes/);
  });

  it('an unknown API key closes the connection with a log line', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(headerOnlyFrame(9999, 0, 7));
    await expectClosedWithLog(socket, /unknown_api_key/);
  });

  it('an unsupported Metadata version closes the connection with a log line', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(headerOnlyFrame(3, 99, 8));
    await expectClosedWithLog(socket, /unsupported_version/);
  });

  it('an unsupported ApiVersions version gets the v0-format UNSUPPORTED_VERSION reply', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(headerOnlyFrame(18, 77, 4242));
    const response = await socket.nextFrame();
    expect(response.readInt32BE(0)).toBe(4242);
    expect(response.readInt16BE(4)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(response.readInt32BE(6)).toBe(1); // one api key entry
    expect(response.readInt16BE(10)).toBe(18);
    expect(response.readInt16BE(12)).toBe(0);
    expect(response.readInt16BE(14)).toBe(4);
    socket.close();
    await bystanderIsServed();
  });

  it('a batch with a bad CRC is refused with CORRUPT_MESSAGE and nothing is stored', async () => {
    const batch = encodeRecordBatchSync({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [] }] });
    const bad = Buffer.from(batch);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    // Produce never auto-creates (as in Kafka); a Metadata request does.
    bystander.send(frame(3, 4, { topics: [{ name: 'crc-topic' }], allowAutoTopicCreation: true }));
    await bystander.nextFrame();
    const good = await produce('crc-topic', batch);
    expect(good.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
    const response = await produce('crc-topic', bad);
    expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    await dev.waitForLog((l) => l.msg === 'rejected produce batch' && l.error === 'corrupt_message', 'rejected batch');
    const after = await produce('crc-topic', batch);
    // The bad batch took no offset: the next good one follows the first directly.
    expect(after.responses[0]?.partitionResponses[0]?.baseOffset).toBe(1n);
    await bystanderIsServed();
  });

  it('a produce to an invalid topic name gets INVALID_TOPIC_EXCEPTION', async () => {
    const batch = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from('v'), headers: [] }] });
    const response = await produce('bad/topic name!', batch);
    expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    await bystanderIsServed();
  });
});
