/**
 * Three QuorumControllers in this process, each with its own metrics and
 * HTTP endpoint, scraped over real HTTP: exactly one reports itself active,
 * Raft and broker gauges follow what the quorum does, and /readyz turns
 * ready once a leader is known.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@runnel/common';
import { ControllerClient } from '@runnel/rpc';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveControllerConfig } from '../src/controller-config.ts';
import { ControllerHttpServer } from '../src/quorum/controller-http.ts';
import { ControllerMetrics } from '../src/quorum/controller-metrics.ts';
import { QuorumController } from '../src/quorum/quorum-controller.ts';
import { freePorts, waitFor } from './fixtures/ports-and-waits.ts';

interface Node {
  controller: QuorumController;
  http: ControllerHttpServer;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function quorum(brokerSessionTimeoutMs: number): Promise<{ nodes: Node[]; client: ControllerClient }> {
  const root = await mkdtemp(join(tmpdir(), 'runnel-metrics-'));
  const ports = await freePorts(3);
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const nodes: Node[] = [];
  for (let id = 1; id <= 3; id++) {
    const config = resolveControllerConfig({
      nodeId: id,
      voters,
      dataDir: join(root, `c${id}`),
      tickMs: 20,
      brokerSessionTimeoutMs,
    });
    if (!config.ok) throw new Error(config.message);
    const metrics = new ControllerMetrics({ defaultMetrics: false });
    const controller = await QuorumController.start({ config: config.value, servicePort: 0, observer: metrics });
    metrics.attach(controller);
    cleanups.push(() => controller.stop());
    const http = await ControllerHttpServer.listen({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      ready: () => controller.leaderId !== 0,
      logger: silentLogger(),
    });
    cleanups.push(() => http.close());
    nodes.push({ controller, http });
  }
  const client = new ControllerClient({
    addresses: nodes.map((n) => `127.0.0.1:${n.controller.servicePort}`),
    callTimeoutMs: 5000,
  });
  cleanups.push(() => client.close());
  return { nodes, client };
}

async function get(node: Node, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${node.http.port}${path}`);
  return { status: response.status, text: await response.text() };
}

/** The value of one sample in Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(node: Node): Promise<string> {
  return (await get(node, '/metrics')).text;
}

const activeCount = 'kafka_controller_kafkacontroller_activecontrollercount';

describe('controller metrics', () => {
  it('exactly one of three controllers reports itself active, and /readyz is ready on all once a leader is known', async () => {
    const { nodes } = await quorum(9000);
    await waitFor(async () => nodes.every((n) => n.controller.leaderId !== 0), 'every node to know the leader');
    const texts = await Promise.all(nodes.map(scrape));
    const counts = texts.map((t) => sample(t, activeCount));
    expect(counts.sort()).toEqual([0, 0, 1]);
    const active = nodes.find((n) => n.controller.isActive);
    expect(active).toBeDefined();
    if (active !== undefined) expect(sample(await scrape(active), activeCount)).toBe(1);
    for (const t of texts) {
      expect(sample(t, 'runnel_raft_term')).toBeGreaterThan(0);
      expect(sample(t, 'runnel_raft_leader_changes_total')).toBeGreaterThanOrEqual(1);
    }
    for (const n of nodes) {
      expect(await get(n, '/readyz')).toMatchObject({ status: 200 });
      expect(await get(n, '/healthz')).toMatchObject({ status: 200 });
    }
    expect((await get(nodes[0] as Node, '/nope')).status).toBe(404);
  });

  it('broker counts, commit latency, metadata offset and broker lag follow registration, unfencing and topic creation', async () => {
    const { nodes, client } = await quorum(9000);
    const registered = await client.call('registerBroker', {
      brokerId: 1,
      incarnationId: '00000000-0000-0000-0000-000000000001',
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
      rack: null,
      previousShutdownClean: true,
      clusterId: null,
    });
    const brokerEpoch = registered.ok && registered.value.value.ok ? registered.value.value.value.brokerEpoch : -1n;
    expect(brokerEpoch).toBeGreaterThanOrEqual(0n);
    const active = await waitFor(async () => nodes.find((n) => n.controller.isActive), 'the active controller');
    let text = await scrape(active);
    expect(sample(text, 'kafka_controller_kafkacontroller_fencedbrokercount')).toBe(1);
    expect(sample(text, 'kafka_controller_kafkacontroller_activebrokercount')).toBe(0);

    await client.call('brokerHeartbeat', {
      brokerId: 1,
      brokerEpoch,
      metadataOffset: brokerEpoch,
      wantShutDown: false,
    });
    const created = await client.call('createTopics', {
      topics: [{ name: 'metrics', numPartitions: 3, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(created).toMatchObject({ ok: true, value: { value: [{ name: 'metrics', result: { ok: true } }] } });
    text = await scrape(active);
    expect(sample(text, 'kafka_controller_kafkacontroller_activebrokercount')).toBe(1);
    expect(sample(text, 'kafka_controller_kafkacontroller_fencedbrokercount')).toBe(0);
    expect(sample(text, 'kafka_controller_kafkacontroller_offlinepartitionscount')).toBe(0);
    expect(sample(text, 'kafka_controller_kafkacontroller_preferredreplicaimbalancecount')).toBe(0);
    expect(sample(text, 'runnel_controller_elr_partitions')).toBe(0);
    const offset = Number(active.controller.image.lastOffset);
    expect(sample(text, 'runnel_controller_metadata_offset')).toBe(offset);
    // The heartbeat reported the offset the broker was at then; the topic's 4 records came after.
    expect(sample(text, 'runnel_controller_broker_metadata_lag', '{broker="1"}')).toBe(offset - Number(brokerEpoch));
    expect(
      sample(text, 'runnel_controller_commit_latency_seconds_count', '{operation="create_topics"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'runnel_controller_commit_latency_seconds_count', '{operation="register_broker"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'runnel_raft_commit_index')).toBeGreaterThan(0);
    expect(sample(text, 'runnel_raft_applied_index')).toBe(sample(text, 'runnel_raft_commit_index'));
    for (const n of nodes.filter((x) => x !== active)) {
      await waitFor(async () => n.controller.image.topic('metrics'), `node ${n.controller.nodeId} to apply the topic`);
      expect(sample(await scrape(n), 'runnel_controller_broker_metadata_lag', '{broker="1"}')).toBeUndefined();
    }
  });

  it('a broker whose session runs out is fenced and its single-replica partitions count as offline', async () => {
    const { nodes, client } = await quorum(300);
    const registered = await client.call('registerBroker', {
      brokerId: 7,
      incarnationId: '00000000-0000-0000-0000-000000000007',
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
      rack: null,
      previousShutdownClean: true,
      clusterId: null,
    });
    const brokerEpoch = registered.ok && registered.value.value.ok ? registered.value.value.value.brokerEpoch : -1n;
    const heartbeat = () =>
      client.call('brokerHeartbeat', { brokerId: 7, brokerEpoch, metadataOffset: brokerEpoch, wantShutDown: false });
    await heartbeat();
    // Heartbeats go on until the topic exists: on a loaded machine the session could otherwise run out first.
    let creating = true;
    const beating = (async () => {
      while (creating) await heartbeat();
    })();
    const created = await client.call('createTopics', {
      topics: [{ name: 'orphans', numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    creating = false;
    await beating;
    expect(created).toMatchObject({ ok: true, value: { value: [{ name: 'orphans', result: { ok: true } }] } });
    // No more heartbeats: the session expires and fencing leaves both partitions leaderless.
    const active = await waitFor(async () => nodes.find((n) => n.controller.isActive), 'the active controller');
    const text = await waitFor(async () => {
      const t = await scrape(active);
      return sample(t, 'kafka_controller_kafkacontroller_offlinepartitionscount') === 2 ? t : undefined;
    }, 'two offline partitions');
    expect(sample(text, 'kafka_controller_kafkacontroller_fencedbrokercount')).toBe(1);
    expect(sample(text, 'kafka_controller_kafkacontroller_activebrokercount')).toBe(0);
    // Each partition's last ISR member waits in its ELR, and neither is led by its preferred replica.
    expect(sample(text, 'runnel_controller_elr_partitions')).toBe(2);
    expect(sample(text, 'kafka_controller_kafkacontroller_preferredreplicaimbalancecount')).toBe(2);
  });
});
