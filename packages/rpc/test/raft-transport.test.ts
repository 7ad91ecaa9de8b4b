import type { Message, NodeId } from '@runnel/raft';
import { afterEach, describe, expect, it } from 'vitest';
import type { RaftSendFailure } from '../src/raft-transport-client.ts';
import { RaftTransportClient } from '../src/raft-transport-client.ts';
import { RaftTransportServer } from '../src/raft-transport-server.ts';
import { sendGarbage } from './garbage.ts';
import { message } from './raft-fixtures.ts';
import { waitFor } from './wait-for.ts';

const fastBackoff = { backoffMsMin: 20, backoffMsMax: 200 };
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function startServer(received: Message[], port = 0): Promise<RaftTransportServer> {
  const started = await RaftTransportServer.start({ port, onMessage: (m) => received.push(m) });
  if (!started.ok) throw new Error(`server did not start: ${started.message}`);
  cleanups.push(() => started.value.close());
  return started.value;
}

function startClient(
  peers: Map<NodeId, string>,
  failures: { peer: NodeId; failure: RaftSendFailure; dropped: number }[] = [],
): RaftTransportClient {
  const client = new RaftTransportClient({
    peers,
    backoff: fastBackoff,
    onSendFailure: (peer, failure, dropped) => failures.push({ peer, failure, dropped }),
  });
  cleanups.push(() => client.close());
  return client;
}

describe('raft transport', () => {
  it('messages to a peer arrive decoded and in send order', async () => {
    const received: Message[] = [];
    const server = await startServer(received);
    const client = startClient(new Map([[2, `127.0.0.1:${server.port}`]]));
    await waitFor('connection', () => client.isConnected(2));
    client.send([message({ index: 1 }), message({ index: 2, type: 'heartbeat' })]);
    client.send([message({ index: 3, entries: [{ term: 3, index: 4, type: 'normal', data: Buffer.from('x') }] })]);
    await waitFor('three messages', () => received.length === 3);
    expect(received.map((m) => m.index)).toEqual([1, 2, 3]);
    expect(received[1]?.type).toBe('heartbeat');
    expect(Buffer.from(received[2]?.entries[0]?.data ?? []).toString()).toBe('x');
  });

  it('a message to an unknown peer is dropped and reported as unknown_peer', async () => {
    const failures: { peer: NodeId; failure: RaftSendFailure; dropped: number }[] = [];
    const client = startClient(new Map(), failures);
    client.send([message({ to: 9 }), message({ to: 9 })]);
    expect(failures).toEqual([{ peer: 9, failure: 'unknown_peer', dropped: 2 }]);
  });

  it('while the peer is down messages are dropped and reported; after it restarts on the same port they arrive', async () => {
    const firstReceived: Message[] = [];
    const first = await startServer(firstReceived);
    const port = first.port;
    const failures: { peer: NodeId; failure: RaftSendFailure; dropped: number }[] = [];
    const client = startClient(new Map([[2, `127.0.0.1:${port}`]]), failures);
    await waitFor('connection', () => client.isConnected(2));
    client.send([message({ index: 1 })]);
    await waitFor('first message', () => firstReceived.length === 1);

    first.close();
    await waitFor('peer_unreachable reported', () => {
      client.send([message({ index: 2 })]);
      return failures.some((f) => f.failure === 'peer_unreachable' && f.peer === 2);
    });

    const secondReceived: Message[] = [];
    await startServer(secondReceived, port);
    let index = 100;
    await waitFor('a message on the restarted server', () => {
      client.send([message({ index: index++ })]);
      return secondReceived.length > 0;
    });
    expect(secondReceived[0]?.index).toBeGreaterThanOrEqual(100);
  });

  it('garbage bytes on the gRPC port do not stop the server from serving others', async () => {
    const received: Message[] = [];
    const server = await startServer(received);
    await sendGarbage(server.port);
    const client = startClient(new Map([[2, `127.0.0.1:${server.port}`]]));
    await waitFor('connection', () => client.isConnected(2));
    client.send([message({ index: 5 })]);
    await waitFor('message after garbage', () => received.length === 1);
  });
});
