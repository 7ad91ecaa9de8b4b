import { type KafkaClient, KafkaError } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { sendPartition } from '../src/rest/v2/partition-sender.ts';
import type { PartitionPlan } from '../src/rest/v2/produce-plan.ts';

const plan: PartitionPlan = {
  partition: 4,
  batches: [
    { records: [{ key: null, value: Buffer.from('a') }], indexes: [0] },
    { records: [{ key: null, value: Buffer.from('b') }], indexes: [1] },
    { records: [{ key: null, value: Buffer.from('c') }], indexes: [2] },
  ],
};

/** A client whose produce answers from `answers` in turn, recording what it was asked. */
function scripted(answers: (bigint | Error)[]) {
  const calls: { topic: string; partition: number; values: string[]; acks: number }[] = [];
  const client: Pick<KafkaClient, 'produce'> = {
    produce: async (topic, partition, records, options) => {
      const list = Array.isArray(records) ? records : [];
      calls.push({ topic, partition, values: list.map((r) => r.value?.toString() ?? ''), acks: options.acks });
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return { baseOffset: answer ?? 0n, logAppendTimeMs: -1n };
    },
  };
  return { client, calls };
}

describe('sendPartition', () => {
  it('sends the batches in order with acks=all and reports each base offset', async () => {
    const { client, calls } = scripted([10n, 11n, 12n]);
    const outcomes = await sendPartition(client, 't', plan);
    expect(calls.map((c) => [c.topic, c.partition, c.values, c.acks])).toEqual([
      ['t', 4, ['a'], -1],
      ['t', 4, ['b'], -1],
      ['t', 4, ['c'], -1],
    ]);
    expect(outcomes.map((o) => ('baseOffset' in o ? o.baseOffset : null))).toEqual([10n, 11n, 12n]);
  });

  it('after a refused batch sends no more of the partition: the later batches get the same error', async () => {
    const { client, calls } = scripted([10n, new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS)]);
    const outcomes = await sendPartition(client, 't', plan);
    expect(calls).toHaveLength(2);
    expect(outcomes.map((o) => ('error' in o ? o.error.errorCode : 'ok'))).toEqual(['ok', 50003, 50003]);
  });

  it('lets an error that is not Kafka’s fail the request', async () => {
    const { client } = scripted([new TypeError('bug')]);
    await expect(sendPartition(client, 't', plan)).rejects.toThrow(TypeError);
  });
});
