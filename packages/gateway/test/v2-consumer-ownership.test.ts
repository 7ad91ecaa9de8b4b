import { decodeSubscription, encodeSubscription } from '@runnel/client';
import { describe, expect, it } from 'vitest';
import { acceptedFormat } from '../src/rest/v2-consumers/accept-format.ts';
import { assignRange } from '../src/rest/v2-consumers/consumer-protocol.ts';
import { readCreateRequest } from '../src/rest/v2-consumers/create-request.ts';
import {
  decodeDefinition,
  decodeDefinitionKey,
  defaultInstanceConfig,
  encodeDefinition,
  encodeDefinitionKey,
  type InstanceDefinition,
} from '../src/rest/v2-consumers/instance-definition.ts';
import {
  abandoned,
  afterForwardFailure,
  decideRoute,
  idleExpired,
  touchDue,
} from '../src/rest/v2-consumers/ownership.ts';

const self = 'http://gw1:8082';
const other = 'http://gw2:8082';

function definition(owner: string, touchedMs = 0): InstanceDefinition {
  return {
    group: 'g',
    name: 'i',
    format: 'json',
    config: defaultInstanceConfig,
    target: { kind: 'subscription', topics: ['t'], pattern: null },
    owner,
    touchedMs,
    idleTimeoutMs: 1000,
  };
}

describe('decideRoute', () => {
  it('the owner holding the instance serves it', () => {
    expect(decideRoute({ held: true, definition: definition(self), self, forwarded: false })).toEqual({
      action: 'serve',
    });
  });

  it('another gateway forwards to the recorded owner', () => {
    expect(decideRoute({ held: false, definition: definition(other), self, forwarded: false })).toEqual({
      action: 'forward',
      to: other,
    });
  });

  it('a gateway recorded as owner that holds nothing (it restarted) takes the instance over', () => {
    expect(decideRoute({ held: false, definition: definition(self), self, forwarded: true })).toEqual({
      action: 'take_over',
    });
  });

  it('a forwarded request for an instance owned elsewhere is not forwarded again (no loops)', () => {
    expect(decideRoute({ held: false, definition: definition(other), self, forwarded: true })).toEqual({
      action: 'moved',
      to: other,
    });
  });

  it('no definition is 40403 whatever is held', () => {
    expect(decideRoute({ held: true, definition: null, self, forwarded: false })).toEqual({ action: 'not_found' });
  });

  it('an owner that does not answer is taken over', () => {
    expect(afterForwardFailure('unreachable')).toEqual({ action: 'take_over' });
    expect(afterForwardFailure('timeout')).toEqual({ action: 'take_over' });
  });
});

describe('expiry', () => {
  it('touches are recorded at most once per half timeout', () => {
    expect(touchDue(1000, 1400, 1000)).toBe(false);
    expect(touchDue(1000, 1500, 1000)).toBe(true);
  });

  it("an idle instance expires after the timeout; an untouched definition is abandoned after twice its owner's", () => {
    expect(idleExpired(0, 999, 1000)).toBe(false);
    expect(idleExpired(0, 1000, 1000)).toBe(true);
    expect(abandoned(definition(other, 0), 1999)).toBe(false);
    expect(abandoned(definition(other, 0), 2000)).toBe(true);
    // A gateway with a shorter timeout of its own still waits for the owner's.
    expect(abandoned({ ...definition(other, 0), idleTimeoutMs: 300_000 }, 2000)).toBe(false);
  });
});

describe('instance definitions', () => {
  it('round-trip through their record key and value', () => {
    const d = definition(self, 42);
    expect(decodeDefinitionKey(encodeDefinitionKey('g', 'i'))).toEqual({ group: 'g', name: 'i' });
    expect(decodeDefinition(encodeDefinition(d))).toEqual(d);
  });

  it('records that are not definitions decode to null instead of failing the tail', () => {
    expect(decodeDefinition(Buffer.from('not json'))).toBeNull();
    expect(decodeDefinition(Buffer.from('{"v":2}'))).toBeNull();
    expect(decodeDefinitionKey(Buffer.from('"x"'))).toBeNull();
  });
});

describe('create requests', () => {
  it('fills Kafka consumer defaults and a generated name', () => {
    expect(readCreateRequest({}, () => 'n')).toEqual({
      ok: true,
      name: 'n',
      format: 'binary',
      config: defaultInstanceConfig,
    });
  });

  it('reads config values given as strings, as Confluent clients send them', () => {
    const parsed = readCreateRequest({
      name: 'c1',
      format: 'AVRO',
      'auto.offset.reset': 'earliest',
      'auto.commit.enable': 'false',
      'fetch.min.bytes': '10',
      'consumer.request.timeout.ms': 250,
    });
    expect(parsed).toEqual({
      ok: true,
      name: 'c1',
      format: 'avro',
      config: { autoOffsetReset: 'earliest', autoCommitEnable: false, fetchMinBytes: 10, requestTimeoutMs: 250 },
    });
  });

  it('a config value Kafka would refuse is invalid_config (42204); an unknown format is invalid_request', () => {
    expect(readCreateRequest({ 'auto.offset.reset': 'smallest' })).toMatchObject({ ok: false, code: 'invalid_config' });
    expect(readCreateRequest({ 'auto.commit.enable': 'yes' })).toMatchObject({ ok: false, code: 'invalid_config' });
    expect(readCreateRequest({ format: 'xml' })).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(readCreateRequest({ name: 'a/b' })).toMatchObject({ ok: false, code: 'invalid_request' });
  });
});

describe('Accept', () => {
  it('a format content type names its format; generic types and none select binary (Confluent)', () => {
    expect(acceptedFormat('application/vnd.kafka.json.v2+json')).toBe('json');
    expect(acceptedFormat('text/html, application/vnd.kafka.avro.v2+json;q=0.9')).toBe('avro');
    expect(acceptedFormat('application/vnd.kafka.v2+json')).toBe('binary');
    expect(acceptedFormat('*/*')).toBe('binary');
    expect(acceptedFormat(undefined)).toBe('binary');
    expect(acceptedFormat('text/html')).toBeNull();
  });
});

describe('consumer protocol', () => {
  it('a subscription round-trips', () => {
    expect(decodeSubscription(encodeSubscription(['a', 'bb']))).toEqual(['a', 'bb']);
    expect(decodeSubscription(Buffer.from([0, 0, 0x7f, 0, 0, 0]))).toBeNull();
  });

  it('the range assignor gives each member a contiguous range, the first members one more', () => {
    const assigned = assignRange(
      [
        { memberId: 'm2', topics: ['t'] },
        { memberId: 'm1', topics: ['t', 'u'] },
      ],
      new Map([
        ['t', 5],
        ['u', 1],
      ]),
    );
    expect(assigned.get('m1')).toEqual([
      { topic: 't', partitions: [0, 1, 2] },
      { topic: 'u', partitions: [0] },
    ]);
    expect(assigned.get('m2')).toEqual([{ topic: 't', partitions: [3, 4] }]);
  });

  it('topics the cluster does not have assign nothing', () => {
    expect(assignRange([{ memberId: 'm', topics: ['missing'] }], new Map()).get('m')).toEqual([]);
  });
});
