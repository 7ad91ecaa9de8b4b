import { describe, expect, it } from 'vitest';
import { answer } from '../src/controller-answer.ts';
import {
  createTopicsResponseFromProto,
  createTopicsResponseToProto,
  registerBrokerResponseFromProto,
} from '../src/controller-response-codec.ts';
import type { CreateTopicsResponseProto, RegisterBrokerResponseProto } from '../src/generated/controller-proto.ts';
import { protoMessageType } from '../src/load-protos.ts';

const createTopicsResponse = protoMessageType<CreateTopicsResponseProto>('runnel.controller.v1.CreateTopicsResponse');
const registerBrokerResponse = protoMessageType<RegisterBrokerResponseProto>(
  'runnel.controller.v1.RegisterBrokerResponse',
);

describe('controller response codec', () => {
  it('an error name outside the closed union is malformed_response, never passed on', () => {
    const proto = createTopicsResponse.deserialize(
      createTopicsResponse.serialize({
        results: { results: [{ name: 't', error: { name: 'made_up_error', message: '' } }] },
        committedOffset: '-1',
      }),
    );
    expect(createTopicsResponseFromProto(proto)).toMatchObject({ ok: false, error: 'malformed_response' });
  });

  it('a response with no oneof member set is malformed_response', () => {
    const proto = registerBrokerResponse.deserialize(registerBrokerResponse.serialize({ committedOffset: '5' }));
    expect(registerBrokerResponseFromProto(proto)).toMatchObject({ ok: false, error: 'malformed_response' });
  });

  it('a committed offset of 2^63-1 survives encoding and decoding exactly', () => {
    const encoded = createTopicsResponseToProto(answer([], 2n ** 63n - 1n));
    const decoded = createTopicsResponseFromProto(
      createTopicsResponse.deserialize(createTopicsResponse.serialize(encoded)),
    );
    expect(decoded).toEqual({ ok: true, value: { status: 'ok', value: [], committedOffset: 2n ** 63n - 1n } });
  });

  it('config names arriving from the wire, even __proto__, stay plain keys', () => {
    const encoded = createTopicsResponseToProto(
      answer([
        {
          name: 't',
          result: { ok: true, value: { topicId: 'id', numPartitions: 1, replicationFactor: 1, configs: {} } },
        },
      ]),
    );
    const created = encoded.results?.results[0]?.created;
    if (created === undefined) throw new Error('no created topic');
    created.configs.push({ name: '__proto__', value: 'x' });
    const decoded = createTopicsResponseFromProto(
      createTopicsResponse.deserialize(createTopicsResponse.serialize(encoded)),
    );
    const result = decoded.ok && decoded.value.status === 'ok' ? decoded.value.value[0]?.result : undefined;
    expect(result?.ok && Object.entries(result.value.configs)).toEqual([['__proto__', 'x']]);
  });
});
