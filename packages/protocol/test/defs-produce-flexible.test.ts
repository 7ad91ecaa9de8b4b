/**
 * Produce v9-12, the flexible versions: byte fixtures for the compact
 * request, the response with and without the KIP-951 leader hints (tagged
 * currentLeader per partition, tagged nodeEndpoints at the top), v10-12
 * being one layout, frames switching to the flexible headers at v9, and the
 * record bytes still travelling as their own chunk.
 */
import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../src/frame.ts';
import { produce } from '../src/messages/produce.ts';
import { decodeMessage, encodeMessage } from '../src/schema/codec.ts';
import { randomMessage } from './random-message.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

const records = Buffer.from('00000000000000000000002aaabbccdd', 'hex'); // opaque to the codec
/** Below v13 a topic is named, and its id decodes to the default, the zero UUID. */
const noTopicId = '00000000-0000-0000-0000-000000000000';
const flexibleVersions = [9, 10, 11, 12] as const;
const hintVersions = [10, 11, 12] as const;

const request = {
  transactionalId: 'tx',
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: 't', topicId: noTopicId, partitionData: [{ index: 2, records }] }],
};

function requestBytes(): Buffer {
  return new WireBytes()
    .compactString('tx')
    .int16(-1)
    .int32(30000)
    .compactArray(1)
    .compactString('t')
    .compactArray(1)
    .int32(2)
    .compactBytes(records)
    .noTags() // partition
    .noTags() // topic
    .noTags() // request
    .build();
}

/** A partition answered NOT_LEADER_OR_FOLLOWER, and one answered NONE. */
const notLeader = {
  index: 0,
  errorCode: 6,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
  recordErrors: [],
  errorMessage: null,
};
const appended = {
  index: 1,
  errorCode: 0,
  baseOffset: 42n,
  logAppendTimeMs: -1n,
  logStartOffset: 0n,
  recordErrors: [],
  errorMessage: null,
};

/** The partitions' fixed fields in flexible encoding, up to their tagged-field section. */
function partitionFields(w: WireBytes, p: typeof notLeader): WireBytes {
  return w
    .int32(p.index)
    .int16(p.errorCode)
    .int64(p.baseOffset)
    .int64(p.logAppendTimeMs)
    .int64(p.logStartOffset)
    .compactArray(0)
    .compactString(null);
}

describe('Produce request v9-12', () => {
  it.each(flexibleVersions)('v%i: compact strings, arrays and records, a tag section per struct', (version) => {
    expectBothWays(produce.request, version, request, requestBytes());
  });

  it('a null transactional id and null records are compact nulls', () => {
    const value = {
      ...request,
      transactionalId: null,
      topicData: [{ name: 't', topicId: noTopicId, partitionData: [{ index: 0, records: null }] }],
    };
    const bytes = new WireBytes()
      .compactString(null)
      .int16(-1)
      .int32(30000)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .compactBytes(null)
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(produce.request, 9, value, bytes);
  });

  it('records stay their own chunk when encoded and decode as a view of the input', () => {
    const big = Buffer.alloc(4096, 7);
    const value = {
      ...request,
      topicData: [{ name: 't', topicId: noTopicId, partitionData: [{ index: 0, records: [big, records] }] }],
    };
    const chunks = encodeMessage(produce.request, 11, value);
    expect(chunks).toContain(big);
    expect(chunks).toContain(records);
    const input = Buffer.concat(chunks);
    const decoded = decodeMessage(produce.request, 11, input) as {
      topicData: { partitionData: { records: Buffer }[] }[];
    };
    const out = decoded.topicData[0]?.partitionData[0]?.records;
    expect(out?.length).toBe(big.length + records.length);
    expect(out?.buffer).toBe(input.buffer);
  });

  it('v8 keeps the classic encoding and v9 switches to request header v2', () => {
    expect(requestHeaderVersion(produce, 8)).toBe(1);
    for (const version of flexibleVersions) expect(requestHeaderVersion(produce, version)).toBe(2);
  });
});

describe('Produce v13 (KIP-516): topics by id', () => {
  const topicId = '5f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
  const idBytes = Buffer.from(topicId.replaceAll('-', ''), 'hex');

  it('the request carries the topic id (16 bytes) where v12 has the name; the name decodes to its default', () => {
    const value = { ...request, topicData: [{ name: '', topicId, partitionData: [{ index: 2, records }] }] };
    const bytes = Buffer.concat([
      new WireBytes().compactString('tx').int16(-1).int32(30000).compactArray(1).build(),
      idBytes,
      new WireBytes().compactArray(1).int32(2).compactBytes(records).noTags().noTags().noTags().build(),
    ]);
    expectBothWays(produce.request, 13, value, bytes);
  });

  it('the response answers by topic id too', () => {
    const value = {
      responses: [
        { name: '', topicId, partitionResponses: [{ ...appended, currentLeader: { leaderId: -1, leaderEpoch: -1 } }] },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
    const bytes = Buffer.concat([
      new WireBytes().compactArray(1).build(),
      idBytes,
      partitionFields(new WireBytes().compactArray(1), appended).noTags().noTags().int32(0).noTags().build(),
    ]);
    expectBothWays(produce.response, 13, value, bytes);
  });
});

describe('Produce response v9-12', () => {
  it('v9: no leader hints exist; every struct ends with an empty tag section', () => {
    const value = {
      responses: [{ name: 't', topicId: noTopicId, partitionResponses: [notLeader] }],
      throttleTimeMs: 0,
    };
    const bytes = new WireBytes().compactArray(1).compactString('t').compactArray(1);
    partitionFields(bytes, notLeader).noTags().noTags().int32(0).noTags();
    // Fields of later versions decode to their defaults, as at every version.
    expectBothWays(produce.response, 9, value, bytes.build(), {
      responses: [
        {
          name: 't',
          topicId: noTopicId,
          partitionResponses: [{ ...notLeader, currentLeader: { leaderId: -1, leaderEpoch: -1 } }],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    });
  });

  it('v9 cannot carry a leader hint: encoding one is an error, not a silent drop', () => {
    const value = {
      responses: [
        {
          name: 't',
          topicId: noTopicId,
          partitionResponses: [{ ...notLeader, currentLeader: { leaderId: 2, leaderEpoch: 5 } }],
        },
      ],
      throttleTimeMs: 0,
    };
    expect(() => encodeMessage(produce.response, 9, value)).toThrow(/currentLeader/);
  });

  it.each(hintVersions)('v%i: without hints the tagged fields are absent and decode to their defaults', (version) => {
    const value = { responses: [{ name: 't', topicId: noTopicId, partitionResponses: [appended] }], throttleTimeMs: 0 };
    const bytes = new WireBytes().compactArray(1).compactString('t').compactArray(1);
    partitionFields(bytes, appended).noTags().noTags().int32(0).noTags();
    expectBothWays(produce.response, version, value, bytes.build(), {
      responses: [
        {
          name: 't',
          topicId: noTopicId,
          partitionResponses: [{ ...appended, currentLeader: { leaderId: -1, leaderEpoch: -1 } }],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    });
  });

  it.each(hintVersions)(
    'v%i: a NOT_LEADER_OR_FOLLOWER partition names its leader in tag 0, its endpoint in the top-level tag 0',
    (version) => {
      const value = {
        responses: [
          {
            name: 't',
            topicId: noTopicId,
            partitionResponses: [
              { ...notLeader, currentLeader: { leaderId: 2, leaderEpoch: 5 } },
              { ...appended, currentLeader: { leaderId: -1, leaderEpoch: -1 } },
            ],
          },
        ],
        throttleTimeMs: 0,
        nodeEndpoints: [
          { nodeId: 2, host: 'b2', port: 9093, rack: null },
          { nodeId: 3, host: 'b3', port: 9094, rack: 'r1' },
        ],
      };
      const leader = new WireBytes().int32(2).int32(5).noTags().build();
      const endpoints = new WireBytes()
        .compactArray(2)
        .int32(2)
        .compactString('b2')
        .int32(9093)
        .compactString(null)
        .noTags()
        .int32(3)
        .compactString('b3')
        .int32(9094)
        .compactString('r1')
        .noTags()
        .build();
      const bytes = new WireBytes().compactArray(1).compactString('t').compactArray(2);
      partitionFields(bytes, notLeader).taggedFields([[0, leader]]);
      // The default leader (-1, -1) is not written.
      partitionFields(bytes, appended).noTags();
      bytes
        .noTags()
        .int32(0)
        .taggedFields([[0, endpoints]]);
      expectBothWays(produce.response, version, value, bytes.build());
    },
  );

  it('unknown tags next to the known ones are skipped', () => {
    const leader = new WireBytes().int32(4).int32(9).noTags().build();
    const bytes = new WireBytes().compactArray(1).compactString('t').compactArray(1);
    partitionFields(bytes, notLeader).taggedFields([
      [0, leader],
      [5, Buffer.from('ff', 'hex')],
    ]);
    bytes
      .noTags()
      .int32(0)
      .taggedFields([[9, Buffer.alloc(0)]]);
    expect(decodeMessage(produce.response, 10, bytes.build())).toEqual({
      responses: [
        {
          name: 't',
          topicId: noTopicId,
          partitionResponses: [{ ...notLeader, currentLeader: { leaderId: 4, leaderEpoch: 9 } }],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    });
  });

  it('v8 answers with response header v0 and v9 onwards with v1', () => {
    expect(responseHeaderVersion(produce, 8)).toBe(0);
    for (const version of flexibleVersions) expect(responseHeaderVersion(produce, version)).toBe(1);
  });
});

describe.each(flexibleVersions)('Produce v%i frames', (version) => {
  const clientId = 'rt';
  it('random requests and responses survive encode, frame decode and re-encode', () => {
    const rng = new Random(4099 + version);
    for (let i = 0; i < 20; i++) {
      const header = { apiKey: 0, apiVersion: version, correlationId: i, clientId };
      const req = randomMessage(rng, produce.request, version);
      const decodedRequest = decodeRequestFrame(Buffer.concat(encodeRequestFrame(header, req)).subarray(4));
      if (!decodedRequest.ok) throw new Error(`v${version} sample ${i}: ${decodedRequest.message}`);
      expect(decodedRequest.header).toEqual(header);
      expect(Buffer.concat(encodeMessage(produce.request, version, decodedRequest.body))).toEqual(
        Buffer.concat(encodeMessage(produce.request, version, req)),
      );
      const res = randomMessage(rng, produce.response, version);
      const decodedResponse = decodeResponseFrame(
        0,
        version,
        Buffer.concat(encodeResponseFrame(header, res)).subarray(4),
      );
      expect(decodedResponse.correlationId).toBe(i);
      expect(decodedResponse.body).toMatchObject(res);
    }
  });
});
