/**
 * Byte fixtures written by hand from the protocol specification
 * (https://kafka.apache.org/protocol), never produced by the encoder.
 * Each hex string is annotated field by field.
 */
import { describe, expect, it } from 'vitest';
import {
  apiDefByKey,
  decodeMessage,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeApiVersionsUnsupportedFrame,
  encodeMessage,
  encodeRequestFrame,
  encodeResponseFrame,
  type MessageDef,
} from '../src/index.ts';
import { expectBothWays } from './wire-bytes.ts';

const hex = (...parts: string[]): Buffer => Buffer.from(parts.join('').replaceAll(' ', ''), 'hex');
const concat = (chunks: readonly Buffer[]): Buffer => Buffer.concat(chunks);

function def(apiKey: number, kind: 'request' | 'response'): MessageDef {
  const api = apiDefByKey(apiKey);
  if (api === undefined) throw new Error(`API ${apiKey} is not defined`);
  return api[kind];
}

describe('ApiVersions fixtures', () => {
  it('a v0 request frame with header v1 decodes to an empty body plus v3 defaults', () => {
    const frame = hex(
      '0000000f', // size 15
      '0012 0000 0000002a', // api key 18, version 0, correlation id 42
      '0005 6b63617420', // client id "kcat " as int16-length string; the v0 body is empty
    );
    const header = { apiKey: 18, apiVersion: 0, correlationId: 42, clientId: 'kcat ' };
    expect(concat(encodeRequestFrame(header, {})).toString('hex')).toBe(frame.toString('hex'));
    expect(decodeRequestFrame(frame.subarray(4))).toEqual({
      ok: true,
      header,
      body: { clientSoftwareName: '', clientSoftwareVersion: '' },
    });
  });

  it('a v3 request frame uses header v2 with tagged fields and compact strings in the body', () => {
    const body = hex(
      '0b 6c696272646b61666b61', // client software name: compact "librdkafka" (10 + 1)
      '06 322e302e32', // client software version: compact "2.0.2" (5 + 1)
      '00', // no tagged fields
    );
    const header = hex('0012 0003 00000001', '000a 6c696272646b61666b61', '00'); // header v2: int16 client id + tags
    const frame = Buffer.concat([header, body]);
    const value = { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' };
    const sizePrefixed = concat(
      encodeRequestFrame({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'librdkafka' }, value),
    );
    expect(sizePrefixed.readInt32BE(0)).toBe(frame.length);
    expect(sizePrefixed.subarray(4).toString('hex')).toBe(frame.toString('hex'));
    expect(decodeRequestFrame(frame)).toEqual({
      ok: true,
      header: { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'librdkafka' },
      body: value,
    });
  });

  it('a v0 response frame has header v0 and an int32-counted api key array', () => {
    const frame = hex(
      '00000016', // size 22
      '0000002a', // correlation id
      '0000', // error code
      '00000002', // 2 api keys
      '0000 0003 0007', // Produce 3-7
      '0012 0000 0003', // ApiVersions 0-3
    );
    const body = {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 7 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
    };
    const header = { apiKey: 18, apiVersion: 0, correlationId: 42, clientId: null };
    expect(concat(encodeResponseFrame(header, body)).toString('hex')).toBe(frame.toString('hex'));
    expect(decodeResponseFrame(18, 0, frame.subarray(4))).toEqual({
      correlationId: 42,
      body: {
        ...body,
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      },
    });
  });

  it('a v3 response frame keeps header v0 and writes only non-default tagged fields, in tag order', () => {
    const feature = hex('02', '11 6d657461646174612e76657273696f6e', '0001 0014 00');
    const tagged = hex(
      '03',
      `00 ${feature.length.toString(16).padStart(2, '0')}`,
      feature.toString('hex'),
      '01 08 0000000000000009',
      '03 01 01',
    );
    const body = Buffer.concat([hex('0000 02 0012 0000 0003 00 00000000'), tagged]);
    const expected = Buffer.concat([hex('00000007'), body]);
    const value = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
      throttleTimeMs: 0,
      supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
      finalizedFeaturesEpoch: 9n,
      finalizedFeatures: [],
      zkMigrationReady: true,
    };
    const encoded = concat(encodeResponseFrame({ apiKey: 18, apiVersion: 3, correlationId: 7, clientId: null }, value));
    expect(encoded.readInt32BE(0)).toBe(expected.length);
    expect(encoded.subarray(4).toString('hex')).toBe(expected.toString('hex'));
    expect(decodeResponseFrame(18, 3, expected)).toEqual({ correlationId: 7, body: value });
  });

  it('an unknown tagged field in a v3 response is skipped', () => {
    const body = hex('0000 01 00000000', '01', '07 03 aabbcc'); // no api keys, throttle 0, one tag 7 of 3 bytes
    expect(decodeMessage(def(18, 'response'), 3, body)).toMatchObject({ errorCode: 0, apiKeys: [], throttleTimeMs: 0 });
  });

  it('an ApiVersions request above v4 gets UNSUPPORTED_VERSION in a v0 body listing ApiVersions 0-4', () => {
    const result = decodeRequestFrame(hex('0012 0005 00000063 0001 78 00 00'));
    expect(result).toMatchObject({
      ok: false,
      error: 'unsupported_version',
      header: { apiKey: 18, apiVersion: 5, correlationId: 99, clientId: 'x' },
    });
    expect(concat(encodeApiVersionsUnsupportedFrame(99)).toString('hex')).toBe(
      hex(
        '00000010', // size 16
        '00000063', // correlation id 99, header v0
        '0023', // error 35 UNSUPPORTED_VERSION
        '00000001 0012 0000 0004', // [ApiVersions 0-4]
      ).toString('hex'),
    );
  });
});

describe('request header fixtures', () => {
  it('header v1 carries a nullable int16-length client id', () => {
    const withNull = hex('0003 0001 01020304 ffff', 'ffffffff'); // Metadata v1, null client id, null topics
    expect(decodeRequestFrame(withNull)).toEqual({
      ok: true,
      header: { apiKey: 3, apiVersion: 1, correlationId: 0x01020304, clientId: null },
      body: {
        topics: null,
        allowAutoTopicCreation: true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
    });
    const encoded = concat(
      encodeRequestFrame({ apiKey: 3, apiVersion: 1, correlationId: 0x01020304, clientId: null }, { topics: null }),
    );
    expect(encoded.subarray(4).toString('hex')).toBe(withNull.toString('hex'));
  });

  it('header v2 keeps an int16-length client id and adds a tagged-field section', () => {
    const frame = hex('0012 0003 00000005 0002 6b6a', '01 05 02 abcd', '01 01 00');
    // Header: ApiVersions v3, "kj", one unknown tag (5, 2 bytes) that is skipped; body: empty compact strings.
    expect(decodeRequestFrame(frame)).toEqual({
      ok: true,
      header: { apiKey: 18, apiVersion: 3, correlationId: 5, clientId: 'kj' },
      body: { clientSoftwareName: '', clientSoftwareVersion: '' },
    });
  });

  it('truncated headers, unknown keys and bad bodies are reported, not thrown', () => {
    expect(decodeRequestFrame(hex('0003 00'))).toMatchObject({ ok: false, error: 'malformed_header', header: null });
    expect(decodeRequestFrame(hex('0063 0000 00000001 ffff'))).toMatchObject({
      ok: false,
      error: 'unknown_api_key',
      header: { apiKey: 99 },
    });
    expect(decodeRequestFrame(hex('0000 000e 00000001 ffff'))).toMatchObject({
      ok: false,
      error: 'unsupported_version',
      header: { apiKey: 0, apiVersion: 14 },
    });
    expect(decodeRequestFrame(hex('0003 0000 00000001 ffff 00000005'))).toMatchObject({
      ok: false,
      error: 'malformed_body',
    });
    expect(decodeRequestFrame(hex('0003 0000 00000001 ffff ffffffff'))).toMatchObject({
      ok: false,
      error: 'malformed_body', // null topics are not allowed in v0
    });
  });
});

describe('Metadata request fixtures, one per version', () => {
  const d = (): MessageDef => def(3, 'request');
  const zeroId = '00000000-0000-0000-0000-000000000000';
  // Fields a version lacks decode to their defaults: no topic ids (v10+), no authorized operations asked (v8+).
  const decodedAs = (value: { topics: { name: string }[] | null; allowAutoTopicCreation?: boolean }) => ({
    topics: value.topics === null ? null : value.topics.map((t) => ({ topicId: zeroId, name: t.name })),
    allowAutoTopicCreation: value.allowAutoTopicCreation ?? true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const both = (version: number, value: Parameters<typeof decodedAs>[0], bytes: Buffer): void =>
    expectBothWays(d(), version, value, bytes, decodedAs(value));
  it('v0: topics is a non-nullable array of int16 strings', () => {
    both(0, { topics: [{ name: 'a' }] }, hex('00000001 0001 61'));
  });
  it('v1: null topics means all topics', () => {
    both(1, { topics: null }, hex('ffffffff'));
  });
  it('v2: two-byte topic name', () => {
    both(2, { topics: [{ name: 'ab' }] }, hex('00000001 0002 6162'));
  });
  it('v3: empty topics means none', () => {
    both(3, { topics: [] }, hex('00000000'));
  });
  it('v4: adds allowAutoTopicCreation', () => {
    both(4, { topics: [{ name: 'a' }], allowAutoTopicCreation: true }, hex('00000001 0001 61 01'));
  });
  it('v5: null topics without auto creation', () => {
    both(5, { topics: null, allowAutoTopicCreation: false }, hex('ffffffff 00'));
  });
  it('v6: two topics', () => {
    both(
      6,
      { topics: [{ name: 'x' }, { name: 'y' }], allowAutoTopicCreation: true },
      hex('00000002 0001 78 0001 79 01'),
    );
  });
  it('v8: adds the two authorized-operations flags', () => {
    expectBothWays(
      d(),
      8,
      {
        topics: [{ name: 'a' }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: true,
        includeTopicAuthorizedOperations: false,
      },
      hex('00000001 0001 61 00 01 00'),
      {
        topics: [{ topicId: zeroId, name: 'a' }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: true,
        includeTopicAuthorizedOperations: false,
      },
    );
  });
  it('v9: flexible, compact array and string, tagged sections', () => {
    both(9, { topics: [{ name: 'a' }], allowAutoTopicCreation: true }, hex('02 02 61 00 01 00 00 00'));
  });
  it('v12: a topic asked for by id with a null name; no cluster flag since v11', () => {
    const topicId = '0102030405060708090a0b0c0d0e0f10';
    const id = `${topicId.slice(0, 8)}-${topicId.slice(8, 12)}-${topicId.slice(12, 16)}-${topicId.slice(16, 20)}-${topicId.slice(20)}`;
    const value = {
      topics: [{ topicId: id, name: null }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    };
    expectBothWays(d(), 12, value, hex(`02 ${topicId} 00 00`, '00 01 00'));
  });
  it('encoding allowAutoTopicCreation=false at v3, which lacks it, is an error', () => {
    expect(() => encodeMessage(d(), 3, { topics: [], allowAutoTopicCreation: false })).toThrow(/not supported/);
  });
  it('a null topic name before v10 is an error', () => {
    expect(() => encodeMessage(d(), 9, { topics: [{ name: null }] })).toThrow(/null/);
  });
});

describe('Produce request fixtures, one per version', () => {
  const d = (): MessageDef => def(0, 'request');
  const records = hex('00000000000000000000002a', 'aabbccdd'); // opaque to the codec
  const layout = (txn: string, acks: string, timeout: string, rec: string): Buffer =>
    hex(txn, acks, timeout, '00000001 0001 74', '00000001 00000002', rec);

  for (const [version, transactionalId, acks, txnHex, acksHex] of [
    [3, null, -1, 'ffff', 'ffff'],
    [4, 'tx', 1, '0002 7478', '0001'],
    [5, null, 0, 'ffff', '0000'],
    [6, '', -1, '0000', 'ffff'],
    [7, 't', 1, '0001 74', '0001'],
  ] as const) {
    it(`v${version}: transactionalId ${String(transactionalId)}, acks ${acks}, records left as bytes`, () => {
      const value = {
        transactionalId,
        acks,
        timeoutMs: 30000,
        topicData: [
          { name: 't', topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: 2, records }] },
        ],
      };
      const bytes = layout(txnHex, acksHex, '00007530', `00000010 ${records.toString('hex')}`);
      expectBothWays(d(), version, value, bytes);
    });
  }

  it('records are passed through as their own chunk, never copied, and decode as a view of the input', () => {
    const big = Buffer.alloc(4096, 7);
    const chunks = encodeMessage(d(), 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: [big, records] }] }],
    });
    expect(chunks).toContain(big);
    expect(chunks).toContain(records);
    const input = concat(chunks);
    const decoded = decodeMessage(d(), 7, input) as {
      topicData: { partitionData: { records: Buffer }[] }[];
    };
    const out = decoded.topicData[0]?.partitionData[0]?.records;
    expect(out?.length).toBe(big.length + records.length);
    expect(out?.buffer).toBe(input.buffer);
  });

  it('null records decode as null', () => {
    const bytes = layout('ffff', 'ffff', '00000001', 'ffffffff');
    expect(decodeMessage(d(), 3, bytes)).toMatchObject({
      topicData: [{ partitionData: [{ index: 2, records: null }] }],
    });
  });
});
