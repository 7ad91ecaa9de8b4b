/**
 * The null sink: a Kafka "broker" that does nothing, run as its own process
 * by bench.ts so the load generator can be measured against a peer that
 * costs almost nothing. It splits frames, reads the request header and
 * answers with a response encoded at start-up:
 * - Produce v7: success for partition 0 at offset 0 (the body is not read);
 * - Fetch v11: the request is decoded for its partitionMaxBytes, and the
 *   answer carries as many copies of the bench batch as fit (at least one).
 * Anything else closes the connection. Prints `{"port":N}` once listening.
 *
 *   node scripts/bench/null-sink.ts --batch-bytes <n> --record-bytes <n>
 */
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { assert } from '@runnel/common';
import {
  asRequest,
  decodeRequestFrame,
  encodeResponseFrame,
  type FetchResponse,
  type RequestHeader,
} from '@runnel/protocol';
import { FrameReceiver } from './frame-receiver.ts';
import { FETCH_VERSION, PRODUCE_VERSION } from './load-generator.ts';
import { prepareBatch } from './record-batch.ts';

/** Response header v0 (both versions are non-flexible): int32 size, int32 correlationId. */
const RESPONSE_CORRELATION_ID_AT = 4;

const { values } = parseArgs({
  options: { 'batch-bytes': { type: 'string' }, 'record-bytes': { type: 'string' } },
});
const batchBytes = Number(values['batch-bytes']);
const recordBytes = Number(values['record-bytes']);
assert(batchBytes > 0 && recordBytes > 0, 'usage: null-sink.ts --batch-bytes <n> --record-bytes <n>');
const batch = prepareBatch(batchBytes, recordBytes);

function header(apiKey: number, apiVersion: number): RequestHeader {
  return { apiKey, apiVersion, correlationId: 0, clientId: null };
}

const produceResponse = encodeResponseFrame(header(0, PRODUCE_VERSION), {
  responses: [
    {
      name: 'bench',
      partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n }],
    },
  ],
  throttleTimeMs: 0,
});

/** Canned fetch responses by the number of batches they carry. */
const fetchResponses = new Map<number, Buffer[]>();

function fetchResponse(batches: number): Buffer[] {
  let frame = fetchResponses.get(batches);
  if (frame === undefined) {
    const body: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'bench',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: BigInt(batches * batch.recordCount),
              lastStableOffset: BigInt(batches * batch.recordCount),
              logStartOffset: 0n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.concat(Array.from({ length: batches }, () => batch.bytes)),
            },
          ],
        },
      ],
    };
    frame = encodeResponseFrame(header(1, FETCH_VERSION), body);
    fetchResponses.set(batches, frame);
  }
  return frame;
}

function respond(socket: Socket, correlationId: number, frame: readonly Buffer[]): void {
  const head = Buffer.from(frame[0] as Buffer);
  head.writeInt32BE(correlationId, RESPONSE_CORRELATION_ID_AT);
  socket.cork();
  socket.write(head);
  for (let i = 1; i < frame.length; i++) socket.write(frame[i] as Buffer);
  process.nextTick(() => socket.uncork());
}

function answer(socket: Socket, frame: Buffer): void {
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  const correlationId = frame.readInt32BE(4);
  if (apiKey === 0 && apiVersion === PRODUCE_VERSION) {
    respond(socket, correlationId, produceResponse);
    return;
  }
  if (apiKey === 1 && apiVersion === FETCH_VERSION) {
    const decoded = decodeRequestFrame(frame);
    if (decoded.ok) {
      const request = asRequest(1, decoded.body);
      const maxBytes = request.topics[0]?.partitions[0]?.partitionMaxBytes ?? 0;
      respond(socket, correlationId, fetchResponse(Math.max(1, Math.floor(maxBytes / batch.bytes.length))));
      return;
    }
  }
  process.stderr.write(`null sink: cannot answer api ${apiKey} v${apiVersion}; closing\n`);
  socket.destroy();
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  // net.Server has no onread option, so the sink takes 'data' chunks and the receiver copies frames that span them.
  const receiver = new FrameReceiver((frame) => answer(socket, frame));
  socket.on('data', (chunk: Buffer) => receiver.push(chunk));
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  assert(address !== null && typeof address === 'object', 'null sink has no address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
