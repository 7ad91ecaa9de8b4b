/**
 * The gateway as a user runs it: inside `runnel dev` (the default) and as
 * its own `runnel gateway` process in front of a broker started apart,
 * which it waits for, and whose readiness follows the cluster's. Real processes, real sockets, fetch as the client.
 */
import { KafkaClient } from '@runnel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../harness/cluster.ts';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { waitFor } from '../harness/wait.ts';

const registryType = /^application\/vnd\.schemaregistry\.v1\+json(;|$)/;

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('runnel dev runs a gateway in its own process', () => {
  let dev: DevProcess;
  let base: string;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
  });

  afterAll(async () => {
    await dev.kill('SIGKILL');
  });

  it('/readyz answers 200 once the gateway has reached the broker, and /healthz 200', async () => {
    await waitFor(async () => (await status(`${base}/readyz`)) === 200, { what: 'gateway /readyz 200' });
    expect(await status(`${base}/healthz`)).toBe(200);
  });

  it('GET / answers {} in the registry content type, as Confluent root does', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(registryType);
    expect(await response.json()).toEqual({});
  });

  it('an unknown path answers 404 {"error_code":404,"message":...}', async () => {
    const response = await fetch(`${base}/subjectz`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(registryType);
    expect(await response.json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  it('/metrics exposes the request counter with the requests made', async () => {
    await fetch(`${base}/`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^runnel_gateway_http_requests_total\{route="\/",method="GET",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^runnel_gateway_http_requests_total\{route="unmatched",method="GET",status="404"\} [1-9]/m);
  });

  it('SIGTERM stops the gateway with the broker and the process exits 0', async () => {
    const stopping = await DevProcess.start();
    expect(await stopping.kill('SIGTERM')).toBe(0);
    expect(stopping.logs.some((l) => l.msg === 'gateway stopped' && l.role === 'gateway')).toBe(true);
  });

  it('--no-gateway starts no gateway', async () => {
    const bare = await DevProcess.start({ args: ['--no-gateway'] });
    expect(await bare.kill('SIGTERM')).toBe(0);
    expect(bare.logs.some((l) => l.role === 'gateway')).toBe(false);
    expect(bare.registryPort).toBeNull();
  });
});

describe('runnel gateway in front of a broker started apart', () => {
  let gateway: GatewayProcess | undefined;
  let broker: DevProcess | undefined;

  afterAll(async () => {
    await gateway?.kill('SIGKILL');
    await broker?.kill('SIGKILL');
  });

  it('answers /readyz 503 naming the cluster until the broker starts, then 200; SIGTERM exits 0', async () => {
    const [kafkaPort] = await freePorts(1);
    if (kafkaPort === undefined) throw new Error('no free port');
    gateway = await GatewayProcess.start(`127.0.0.1:${kafkaPort}`);
    const notReady = await fetch(`${gateway.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain(`127.0.0.1:${kafkaPort}`);
    expect(await status(`${gateway.url}/healthz`)).toBe(200);

    broker = await DevProcess.start({ args: ['--port', String(kafkaPort), '--no-gateway'] });
    const url = gateway.url;
    await waitFor(async () => (await status(`${url}/readyz`)) === 200, { what: 'gateway ready after broker start' });
    expect(await (await fetch(`${url}/`)).json()).toEqual({});

    expect(await gateway.kill('SIGTERM')).toBe(0);
    expect(gateway.logs.some((l) => l.msg === 'gateway stopped')).toBe(true);
  });
});

describe('runnel gateway readiness follows the cluster', () => {
  let gateway: GatewayProcess | undefined;
  let broker: DevProcess | undefined;

  afterAll(async () => {
    broker?.signal('SIGCONT');
    await gateway?.kill('SIGKILL');
    await broker?.kill('SIGKILL');
  });

  it('/readyz goes 503 with the reason while the broker is stopped (SIGSTOP), and 200 again once it resumes', async () => {
    broker = await DevProcess.start({ args: ['--no-gateway'] });
    gateway = await GatewayProcess.start(broker.bootstrap);
    const url = gateway.url;
    await waitFor(async () => (await status(`${url}/readyz`)) === 200, { what: 'gateway ready' });

    // A stopped process keeps its sockets open and answers nothing: only an unanswered probe can notice it.
    broker.signal('SIGSTOP');
    const reason = await waitFor(
      async () => {
        const response = await fetch(`${url}/readyz`);
        return response.status === 503 ? await response.text() : undefined;
      },
      { what: 'gateway /readyz 503 while the broker is stopped', timeoutMs: 30_000 },
    );
    expect(reason).toContain(`cluster at ${broker.bootstrap} not answering`);
    expect(await status(`${url}/healthz`)).toBe(200);

    broker.signal('SIGCONT');
    await waitFor(async () => (await status(`${url}/readyz`)) === 200, {
      what: 'gateway ready again after the broker resumed',
      timeoutMs: 30_000,
    });
  });

  it('GET /v1/metadata/id names the Kafka cluster (its Metadata clusterId) and the registry cluster', async () => {
    if (gateway === undefined || broker === undefined)
      throw new Error('the readiness test did not start the processes');
    const response = await fetch(`${gateway.url}/v1/metadata/id`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(registryType);
    const body = (await response.json()) as { scope: { path: unknown[]; clusters: Record<string, unknown> } };
    expect(body.scope.path).toEqual([]);
    expect(body.scope.clusters['schema-registry-cluster']).toBe('runnel-registry._schemas');
    const kafkaId = body.scope.clusters['kafka-cluster'];
    expect(typeof kafkaId).toBe('string');
    // The same id a Kafka client reads from the broker itself.
    const client = await KafkaClient.connect({ bootstrap: broker.bootstrap, clientId: 'metadata-id-test' });
    try {
      expect((await client.metadata([])).clusterId).toBe(kafkaId);
    } finally {
      client.close();
    }
  });
});
