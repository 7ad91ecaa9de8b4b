/**
 * Three QuorumControllers in this process on real sockets (Raft over gRPC,
 * Raft logs in level): a leader is elected, admin calls through the gRPC
 * ControllerClient commit on every node, and when the leader stops a new
 * one takes over and keeps committing.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerClient } from '@runnel/rpc';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveControllerConfig } from '../src/controller-config.ts';
import { QuorumController } from '../src/quorum/quorum-controller.ts';
import { freePorts, waitFor } from './fixtures/ports-and-waits.ts';

const running: QuorumController[] = [];
const clients: ControllerClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const c of running.splice(0)) await c.stop();
});

async function quorum(): Promise<{ nodes: QuorumController[]; client: ControllerClient }> {
  const root = await mkdtemp(join(tmpdir(), 'runnel-quorum-'));
  const ports = await freePorts(3);
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const nodes: QuorumController[] = [];
  for (let id = 1; id <= 3; id++) {
    const config = resolveControllerConfig({ nodeId: id, voters, dataDir: join(root, `c${id}`), tickMs: 20 });
    if (!config.ok) throw new Error(config.message);
    const node = await QuorumController.start({ config: config.value, servicePort: 0 });
    nodes.push(node);
    running.push(node);
  }
  const client = new ControllerClient({
    addresses: nodes.map((n) => `127.0.0.1:${n.servicePort}`),
    callTimeoutMs: 5000,
  });
  clients.push(client);
  return { nodes, client };
}

const topic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} });

describe('controller quorum', () => {
  it('elects one leader, commits admin calls on every node, and survives losing the leader', async () => {
    const { nodes, client } = await quorum();
    const leader = await waitFor(() => nodes.find((n) => n.isActive), 'a leader');
    expect(nodes.filter((n) => n.isActive)).toHaveLength(1);

    const registered = await client.call('registerBroker', {
      brokerId: 1,
      incarnationId: '00000000-0000-0000-0000-000000000001',
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
      rack: null,
      previousShutdownClean: true,
      clusterId: null,
    });
    expect(registered).toMatchObject({ ok: true, value: { value: { ok: true } } });
    const brokerEpoch = registered.ok && registered.value.value.ok ? registered.value.value.value.brokerEpoch : -1n;
    // Registered brokers start fenced; a heartbeat showing it has caught up with metadata unfences it.
    expect(leader.image.broker(1)?.fenced).toBe(true);
    const beat = await client.call('brokerHeartbeat', {
      brokerId: 1,
      brokerEpoch,
      metadataOffset: brokerEpoch,
      wantShutDown: false,
    });
    expect(beat).toMatchObject({ ok: true, value: { value: { ok: true, value: { fenced: false } } } });
    const created = await client.call('createTopics', { topics: [topic('first')], validateOnly: false });
    expect(created).toMatchObject({ ok: true, value: { value: [{ name: 'first', result: { ok: true } }] } });
    for (const n of nodes) await waitFor(() => n.image.topic('first'), `node ${n.nodeId} to apply the topic`);

    await leader.stop();
    const next = await waitFor(() => nodes.find((n) => n !== leader && n.isActive), 'a new leader');
    expect(next.nodeId).not.toBe(leader.nodeId);
    const again = await client.call('createTopics', { topics: [topic('second')], validateOnly: false });
    expect(again).toMatchObject({ ok: true, value: { value: [{ name: 'second', result: { ok: true } }] } });
    for (const n of nodes.filter((x) => x !== leader)) await waitFor(() => n.image.topic('second'), 'the second topic');
  });
});
