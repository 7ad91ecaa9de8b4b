/**
 * What the memory attacks share: a topic filled with ~1 MiB batches over
 * the wire, attackers on bare sockets that never read what the broker sends,
 * the broker's Prometheus values, and its peak RSS while an attack runs.
 */
import { connect, type Socket } from 'node:net';
import { encodeRecordBatchSync, encodeRequestFrame, type FetchRequest, type ProduceResponse } from '@runnel/protocol';
import { ProtocolClient } from '../harness/protocol-client.ts';

export const mib = 1024 * 1024;

/**
 * Appends `batches` batches of one ~1 MiB record to partition 0 of `topic`
 * (acks=1, `inflight` requests in flight); resolves with each answer's error code.
 */
export async function fillTopic(port: number, topic: string, batches: number, inflight = 8): Promise<number[]> {
  const client = await ProtocolClient.connect(port);
  const errorCodes: number[] = [];
  try {
    const batch = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.alloc(mib - 1024, 7) }] });
    const produce = () =>
      client.send(0, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
      });
    let sent = 0;
    for (; sent < Math.min(inflight, batches); sent++) produce();
    for (let answered = 0; answered < batches; answered++) {
      const { body } = await client.next();
      errorCodes.push((body as ProduceResponse).responses[0]?.partitionResponses[0]?.errorCode ?? -1);
      if (sent < batches) {
        produce();
        sent++;
      }
    }
  } finally {
    client.close();
  }
  return errorCodes;
}

/** A Fetch v11 of partition 0 of `topic` from offset 0, asking for 2^31 - 1 bytes in all and per partition. */
export function greedyFetchFrame(topic: string, correlationId: number): Buffer {
  const body: FetchRequest = {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 2 ** 31 - 1,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            logStartOffset: -1n,
            partitionMaxBytes: 2 ** 31 - 1,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
  return Buffer.concat(encodeRequestFrame({ apiKey: 1, apiVersion: 11, correlationId, clientId: 'greedy' }, body));
}

/** A connection that writes `bytes` and never reads: what the broker sends it piles up. */
export async function silentConnection(port: number, bytes: Buffer): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.pause();
  socket.write(bytes);
  return socket;
}

/** The sum of a metric's samples (every label set) on the broker's /metrics; 0 when it has none. */
export async function metricValue(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
