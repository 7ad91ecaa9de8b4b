import type { MetadataRecord } from '@runnel/metadata';
import { decodeMetadataRecord, encodeMetadataRecord } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const topicId = '3f2a6c1e-9b4d-4e2a-8c1f-0a1b2c3d4e5f';

const samples: MetadataRecord[] = [
  {
    type: 'register-broker',
    brokerId: 1,
    incarnationId: 'inc-1',
    brokerEpoch: 2n ** 62n + 7n,
    listeners: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }],
    rack: null,
  },
  { type: 'topic', name: 'orders', topicId },
  {
    type: 'partition',
    topicId,
    partition: 3,
    replicas: [1, 2],
    isr: [2],
    leader: 2,
    leaderEpoch: 5,
    partitionEpoch: 9,
    elr: [1],
    lastKnownElr: [3],
    addingReplicas: [4],
    removingReplicas: [1],
  },
  { type: 'config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1000' },
  { type: 'config', resourceType: 'broker', resourceName: '1', name: 'log.retention.hours', value: null },
  { type: 'remove-topic', topicId },
  { type: 'fence-broker', brokerId: 1, brokerEpoch: 42n },
  { type: 'unfence-broker', brokerId: 1, brokerEpoch: 42n },
];

describe('metadata record encoding', () => {
  it.each(samples.map((r) => [r.type, r] as const))('%s round-trips exactly, bigints included', (_type, record) => {
    const decoded = decodeMetadataRecord(encodeMetadataRecord(record));
    expect(decoded).toEqual({ ok: true, value: record });
  });

  it('starts every encoding with version byte 2', () => {
    for (const r of samples) expect(encodeMetadataRecord(r)[0]).toBe(2);
  });

  it('a broker-state record round-trips as version 3 and is refused under an older version byte', () => {
    for (const state of ['decommissioning', 'active'] as const) {
      const record: MetadataRecord = { type: 'broker-state', brokerId: 4, state };
      const bytes = encodeMetadataRecord(record);
      expect(bytes[0]).toBe(3);
      expect(decodeMetadataRecord(bytes)).toEqual({ ok: true, value: record });
      bytes[0] = 2;
      expect(decodeMetadataRecord(bytes)).toMatchObject({ ok: false, error: 'malformed_record' });
    }
    const odd = Buffer.from('\x03{"type":"broker-state","brokerId":4,"state":"gone"}');
    expect(decodeMetadataRecord(odd)).toMatchObject({ ok: false, error: 'malformed_record' });
  });

  it('an operator-placed partition record round-trips as version 4; a controller-placed one stays version 2', () => {
    const placed = samples[2];
    if (placed?.type !== 'partition') throw new Error('sample 2 is a partition record');
    const pinned: MetadataRecord = { ...placed, placement: 'operator' };
    const bytes = encodeMetadataRecord(pinned);
    expect(bytes[0]).toBe(4);
    expect(decodeMetadataRecord(bytes)).toEqual({ ok: true, value: pinned });
    expect(encodeMetadataRecord(placed)[0]).toBe(2);
    // Version 2 predates the field: a stray one is not read as a placement.
    bytes[0] = 2;
    expect(decodeMetadataRecord(bytes)).toEqual({ ok: true, value: placed });
    const odd = Buffer.from(
      `\x04{"type":"partition","topicId":"${topicId}","partition":0,"replicas":[1],"isr":[1],"leader":1,"leaderEpoch":0,"partitionEpoch":0,"elr":[],"lastKnownElr":[],"addingReplicas":[],"removingReplicas":[],"placement":"controller"}`,
    );
    expect(decodeMetadataRecord(odd)).toMatchObject({ ok: false, error: 'malformed_record' });
  });

  it('a cluster-id record round-trips as version 5, a producer-ids record as 6, a feature-level record as 7; older version bytes are refused', () => {
    const cases: [MetadataRecord, number][] = [
      [{ type: 'cluster-id', clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' }, 5],
      [{ type: 'producer-ids', brokerId: 2, brokerEpoch: 41n, nextProducerId: 2n ** 62n + 1000n }, 6],
      [{ type: 'feature-level', name: 'transaction.version', level: 2 }, 7],
    ];
    for (const [record, version] of cases) {
      const bytes = encodeMetadataRecord(record);
      expect(bytes[0]).toBe(version);
      expect(decodeMetadataRecord(bytes)).toEqual({ ok: true, value: record });
      bytes[0] = version - 1;
      expect(decodeMetadataRecord(bytes)).toMatchObject({ ok: false, error: 'malformed_record' });
    }
    const badLevel = Buffer.from('\x07{"type":"feature-level","name":"metadata.version","level":-1}');
    expect(decodeMetadataRecord(badLevel)).toMatchObject({ ok: false, error: 'malformed_record' });
    const badId = Buffer.from('\x05{"type":"cluster-id","clusterId":"short"}');
    expect(decodeMetadataRecord(badId)).toMatchObject({ ok: false, error: 'malformed_record' });
  });

  it('a version 1 partition record decodes with empty ELR and reassignment lists', () => {
    const v1 = Buffer.from(
      `\x01{"type":"partition","topicId":"${topicId}","partition":0,"replicas":[1,2],"isr":[1],"leader":1,"leaderEpoch":3,"partitionEpoch":4}`,
    );
    expect(decodeMetadataRecord(v1)).toEqual({
      ok: true,
      value: {
        type: 'partition',
        topicId,
        partition: 0,
        replicas: [1, 2],
        isr: [1],
        leader: 1,
        leaderEpoch: 3,
        partitionEpoch: 4,
        elr: [],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
      },
    });
  });

  it('a version 1 record of another type still decodes', () => {
    expect(decodeMetadataRecord(Buffer.from(`\x01{"type":"topic","name":"a","topicId":"${topicId}"}`))).toEqual({
      ok: true,
      value: { type: 'topic', name: 'a', topicId },
    });
  });

  it('decodes from a view into a larger buffer', () => {
    const encoded = encodeMetadataRecord(samples[1]!);
    const padded = Buffer.concat([Buffer.from('xx'), encoded, Buffer.from('yy')]);
    expect(decodeMetadataRecord(padded.subarray(2, 2 + encoded.length))).toEqual({ ok: true, value: samples[1] });
  });

  it.each([
    ['empty input', Buffer.alloc(0), 'malformed_record'],
    ['an unknown version byte', Buffer.from([9, 0x7b, 0x7d]), 'unsupported_version'],
    ['version byte 0', Buffer.from([0, 0x7b, 0x7d]), 'unsupported_version'],
    [
      'a version 2 partition record without its ELR',
      Buffer.from(
        `\x02{"type":"partition","topicId":"${topicId}","partition":0,"replicas":[1],"isr":[1],"leader":1,"leaderEpoch":0,"partitionEpoch":0,"lastKnownElr":[],"addingReplicas":[],"removingReplicas":[]}`,
      ),
      'malformed_record',
    ],
    ['bytes that are not JSON', Buffer.from([1, 0xff, 0x00]), 'malformed_record'],
    ['a JSON array', Buffer.from('\x01[]'), 'malformed_record'],
    ['an unknown record type', Buffer.from('\x01{"type":"nope"}'), 'malformed_record'],
    ['a topic without an id', Buffer.from('\x01{"type":"topic","name":"a"}'), 'malformed_record'],
    ['a topic id that is not a uuid', Buffer.from('\x01{"type":"topic","name":"a","topicId":"x"}'), 'malformed_record'],
    [
      'an epoch given as a JSON number',
      Buffer.from('\x01{"type":"fence-broker","brokerId":1,"brokerEpoch":3}'),
      'malformed_record',
    ],
    [
      'a fractional broker id',
      Buffer.from('\x01{"type":"fence-broker","brokerId":1.5,"brokerEpoch":"3"}'),
      'malformed_record',
    ],
    [
      'replicas that are not numbers',
      Buffer.from(
        `\x01{"type":"partition","topicId":"${topicId}","partition":0,"replicas":["1"],"isr":[],"leader":1,"leaderEpoch":0,"partitionEpoch":0}`,
      ),
      'malformed_record',
    ],
  ] as const)('decoding %s returns %s', (_what, bytes, error) => {
    const decoded = decodeMetadataRecord(bytes);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error).toBe(error);
      expect(decoded.message).toBeTruthy();
    }
  });
});
