/**
 * Produce v13 (KIP-516) against a real broker and controller in this
 * process: a partition named by its topic id takes the batch (the response
 * answers by id, and kcat reads the record by name); an id the broker does
 * not know, such as a deleted topic's, is UNKNOWN_TOPIC_ID.
 */
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: InProcessCluster;
let client: ProtocolClient;

beforeAll(async () => {
  cluster = await startInProcess();
  client = await ProtocolClient.connect(cluster.broker.port);
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

async function createTopic(name: string): Promise<string> {
  const created = await client.request(19, 4, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
  return waitFor(() => cluster.broker.image.topic(name)?.topicId, { what: `${name}'s id in the image` });
}

function produceById(topicId: string, value: string) {
  const records = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from(value) }] });
  return client.request(0, 13, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ topicId, partitionData: [{ index: 0, records }] }],
  });
}

describe('Produce v13: topics by id', () => {
  it('appends to the topic the id names and answers by id', async () => {
    const topicId = await createTopic('by-id');
    const response = await produceById(topicId, 'hello');
    expect(response.responses).toMatchObject([
      { topicId, partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 0n }] },
    ]);
    const read = await kcatReadAll({ bootstrap: `127.0.0.1:${cluster.broker.port}`, topic: 'by-id', format: '%s\n' });
    expect(read.stdout.toString('utf8')).toBe('hello\n');
  });

  it('answers UNKNOWN_TOPIC_ID for an id no topic has, such as a deleted topic’s', async () => {
    const topicId = await createTopic('deleted-by-id');
    const deleted = await client.request(20, 3, { topicNames: ['deleted-by-id'], timeoutMs: 5000 });
    expect(deleted.responses[0]?.errorCode).toBe(ErrorCode.NONE);
    await waitFor(() => cluster.broker.image.topic('deleted-by-id') === undefined, { what: 'the delete in the image' });
    const response = await produceById(topicId, 'lost');
    expect(response.responses[0]).toMatchObject({
      topicId,
      partitionResponses: [{ index: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, baseOffset: -1n }],
    });
  });
});
