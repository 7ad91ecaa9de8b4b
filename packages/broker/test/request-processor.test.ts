/**
 * RequestProcessor: one request frame (size prefix already cut off, as the
 * connection hands it over) to its outcome. Served requests reach their
 * handler and come back encoded with the request's correlation id; a null
 * answer sends nothing; everything the broker cannot serve closes the
 * connection, except ApiVersions at an unknown version, which gets the v0
 * UNSUPPORTED_VERSION reply clients rely on. Recycled memory a handler
 * holds for its response travels with the outcome (released at once when
 * nothing is sent).
 */
import { silentLogger } from '@runnel/common';
import type { ApiVersionsResponse, ProduceRequest, RequestByKey } from '@runnel/protocol';
import { decodeResponseFrame, ErrorCode, encodeRequestFrame } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { Handler, RequestContext } from '../src/handlers/handler.ts';
import { register } from '../src/handlers/handler.ts';
import { BrokerMetrics } from '../src/metrics.ts';
import type { RequestOutcome } from '../src/network/connection.ts';
import { FramePool, poisonByte } from '../src/network/frame-pool.ts';
import { RequestProcessor } from '../src/request-processor.ts';

const connection = { id: 7, remoteAddress: '127.0.0.1:5555' };

/** A request frame as the connection passes it on: without its size prefix. */
function frame<K extends keyof RequestByKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: RequestByKey[K],
): Buffer {
  return Buffer.concat(encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: 'unit' }, body)).subarray(4);
}

/** A raw header only: apiKey, apiVersion, correlationId, null client id. */
function rawHeader(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeInt16BE(apiKey, 0);
  b.writeInt16BE(apiVersion, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(-1, 8);
  return b;
}

const apiVersionsBody = { clientSoftwareName: 'unit', clientSoftwareVersion: '1' };

const produceBody: ProduceRequest = { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] };

/** Handlers that record what they were asked; ApiVersions v0-1 answers a fixed table, Produce answers nothing. */
function setup(options: { apiVersionsThrows?: boolean; produceThrows?: boolean } = {}) {
  const calls: { apiKey: number; correlationId: number; connectionId: number }[] = [];
  const table: ApiVersionsResponse = {
    errorCode: ErrorCode.NONE,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 1 }],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
  const apiVersions: Handler<18> = {
    apiKey: 18,
    minVersion: 0,
    maxVersion: 1,
    async handle(_request, context: RequestContext) {
      calls.push({ apiKey: 18, correlationId: context.header.correlationId, connectionId: context.connection.id });
      if (options.apiVersionsThrows === true) throw new Error('handler bug');
      return table;
    },
  };
  const produce: Handler<0> = {
    apiKey: 0,
    minVersion: 3,
    maxVersion: 9,
    requestBytesFreeAfterHandling: true,
    async handle(request, context) {
      calls.push({ apiKey: 0, correlationId: context.header.correlationId, connectionId: context.connection.id });
      if (options.produceThrows === true) throw new Error('handler bug');
      return request.acks === 0 ? null : { responses: [], throttleTimeMs: 0 };
    },
  };
  const metrics = new BrokerMetrics(
    {
      partitionCount: () => 0,
      segmentCount: () => 0,
      logSizeBytes: () => 0,
      connectionCount: () => 0,
      producerIdCount: () => 0,
      pooledFrames: () => ({ acquired: 0, reused: 0 }),
    },
    { defaultMetrics: false },
  );
  const processor = new RequestProcessor([register(apiVersions), register(produce)], silentLogger(), metrics);
  return { processor, calls, metrics };
}

/** The response frame of a 'respond' outcome, without its size prefix (checked against the chunks' total). */
function responseOf(outcome: RequestOutcome): Buffer {
  if (outcome.kind !== 'respond') throw new Error(`expected a response, got ${outcome.kind}`);
  const bytes = Buffer.concat(outcome.chunks);
  expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
  return bytes.subarray(4);
}

async function counted(metrics: BrokerMetrics, name: 'requests' | 'requestErrors'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics[name].get()).values) {
    out[Object.values(v.labels).join('/')] = v.value;
  }
  return out;
}

/** `bytes` copied into a frame from a poisoning pool, with the connection's claim on it. */
function pooledFrame(bytes: Buffer) {
  const pool = new FramePool({ frameBytesMin: 1, frameBytesMax: 1 << 20, freeBytesMax: 1 << 22, poisonReleased: true });
  const got = pool.acquire(bytes.length);
  if (got === null) throw new Error('frame not pooled');
  bytes.copy(got.frame);
  return got;
}

const poisoned = (bytes: Buffer) => bytes.every((b) => b === poisonByte);

describe('RequestProcessor', () => {
  it('releases a pooled frame once a handler that frees its request bytes has settled', async () => {
    const { processor } = setup();
    const { frame: pooled, claim } = pooledFrame(frame(0, 7, 5, { ...produceBody, acks: 1 }));
    const outcome = await processor.process(pooled, connection, claim);
    expect(outcome.kind).toBe('respond');
    expect(poisoned(pooled)).toBe(true);
  });

  it('keeps a pooled frame when its handler does not declare the bytes free, or throws', async () => {
    const { processor } = setup({ apiVersionsThrows: false, produceThrows: true });
    const apiVersions = pooledFrame(frame(18, 1, 1, apiVersionsBody));
    await processor.process(apiVersions.frame, connection, apiVersions.claim);
    expect(poisoned(apiVersions.frame)).toBe(false);
    const produce = pooledFrame(frame(0, 7, 2, { ...produceBody, acks: 1 }));
    await expect(processor.process(produce.frame, connection, produce.claim)).rejects.toThrow('handler bug');
    expect(poisoned(produce.frame)).toBe(false);
  });

  it('hands a served request to its handler and encodes the answer with the request correlation id', async () => {
    const { processor, calls, metrics } = setup();
    const outcome = await processor.process(frame(18, 1, 4242, apiVersionsBody), connection);
    const decoded = decodeResponseFrame(18, 1, responseOf(outcome));
    expect(decoded.correlationId).toBe(4242);
    expect(decoded.body).toMatchObject({
      errorCode: ErrorCode.NONE,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 1 }],
    });
    expect(calls).toEqual([{ apiKey: 18, correlationId: 4242, connectionId: 7 }]);
    expect(await counted(metrics, 'requests')).toEqual({ ApiVersions: 1 });
  });

  it('a handler answering null (acks=0 produce) sends no response', async () => {
    const { processor, calls } = setup();
    const outcome = await processor.process(frame(0, 7, 5, produceBody), connection);
    expect(outcome).toEqual({ kind: 'none' });
    expect(calls).toEqual([{ apiKey: 0, correlationId: 5, connectionId: 7 }]);
  });

  it('ApiVersions at a version the protocol does not know gets the v0 UNSUPPORTED_VERSION reply, not a close', async () => {
    const { processor, calls } = setup();
    const outcome = await processor.process(rawHeader(18, 99, 31), connection);
    const decoded = decodeResponseFrame(18, 0, responseOf(outcome));
    expect(decoded.correlationId).toBe(31);
    expect(decoded.body).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION });
    expect(calls).toEqual([]);
  });

  it.each([
    ['an API without a handler', () => frame(3, 1, 1, { topics: null }), 'Metadata v1 is not served'],
    ['a version the handler does not serve', () => frame(18, 2, 1, apiVersionsBody), 'ApiVersions v2 is not served'],
    ['Produce at a version the protocol does not know', () => rawHeader(0, 99, 1), 'unsupported_version'],
    ['an unknown API key', () => rawHeader(999, 0, 1), ''],
    ['a truncated header', () => rawHeader(18, 0, 1).subarray(0, 5), ''],
    ['an empty frame', () => Buffer.alloc(0), ''],
    ['a body cut short', () => frame(0, 7, 1, produceBody).subarray(0, 14), ''],
  ])('%s closes the connection without reaching a handler', async (_what, make, reason) => {
    const { processor, calls, metrics } = setup();
    const outcome = await processor.process(make(), connection);
    expect(outcome.kind).toBe('close');
    if (outcome.kind === 'close') expect(outcome.reason).toContain(reason);
    expect(calls).toEqual([]);
    expect(Object.values(await counted(metrics, 'requestErrors'))).toEqual([1]);
    expect(await counted(metrics, 'requests')).toEqual({});
  });

  it('a handler that throws rejects (a bug: the connection closes), and nothing is counted as served', async () => {
    const { processor, metrics } = setup({ apiVersionsThrows: true });
    await expect(processor.process(frame(18, 0, 1, apiVersionsBody), connection)).rejects.toThrow('handler bug');
    expect(await counted(metrics, 'requests')).toEqual({});
  });

  it('servedApiKeys lists the handlers, and addHandler serves a new API from then on', async () => {
    const { processor } = setup();
    expect([...processor.servedApiKeys].sort((a, b) => a - b)).toEqual([0, 18]);
    const metadata: Handler<3> = {
      apiKey: 3,
      minVersion: 0,
      maxVersion: 12,
      handle: async () => ({ throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics: [] }),
    };
    processor.addHandler(register(metadata));
    const outcome = await processor.process(frame(3, 1, 77, { topics: null }), connection);
    expect(decodeResponseFrame(3, 1, responseOf(outcome)).correlationId).toBe(77);
  });
});

describe('response memory', () => {
  /** A processor over `pool` whose ApiVersions and Produce handlers each take one 1 KiB buffer and hold it. */
  function holding(pool: FramePool) {
    const take = (context: RequestContext) => {
      const got = context.responseMemory?.acquire(1024);
      if (got === undefined || got === null) throw new Error('no response memory');
      context.responseMemory?.holdUntilWritten(got.claim);
    };
    const apiVersions: Handler<18> = {
      apiKey: 18,
      minVersion: 0,
      maxVersion: 1,
      async handle(_request, context) {
        take(context);
        return {
          errorCode: ErrorCode.NONE,
          apiKeys: [],
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
          zkMigrationReady: false,
        };
      },
    };
    const produce: Handler<0> = {
      apiKey: 0,
      minVersion: 3,
      maxVersion: 9,
      async handle(_request, context) {
        take(context);
        return null;
      },
    };
    const { metrics } = setup();
    return new RequestProcessor([register(apiVersions), register(produce)], silentLogger(), metrics, pool);
  }

  it('claims a handler holds travel with its response, for the connection to release once written', async () => {
    const pool = new FramePool({
      frameBytesMin: 1,
      frameBytesMax: 1 << 20,
      freeBytesMax: 1 << 22,
      poisonReleased: true,
    });
    const outcome = await holding(pool).process(frame(18, 0, 1, apiVersionsBody), connection);
    expect(outcome.kind === 'respond' && outcome.claims?.length).toBe(1);
    expect(pool.stats.freeBytes).toBe(0);
    if (outcome.kind === 'respond') for (const c of outcome.claims ?? []) c.release();
    expect(pool.stats.freeBytes).toBe(1024);
  });

  it('a request answered with nothing releases what its handler held at once', async () => {
    const pool = new FramePool({
      frameBytesMin: 1,
      frameBytesMax: 1 << 20,
      freeBytesMax: 1 << 22,
      poisonReleased: true,
    });
    const outcome = await holding(pool).process(frame(0, 3, 1, produceBody), connection);
    expect(outcome.kind).toBe('none');
    expect(pool.stats.freeBytes).toBe(1024);
  });
});
