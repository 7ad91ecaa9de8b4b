/**
 * Fuzz target (c, HTTP): the broker's operations server (/metrics, /healthz,
 * /readyz: node:http on a real loopback socket, as the broker runs it) and
 * the gateway's Fastify app with the Schema Registry routes (through Fastify's
 * inject, over a registry whose store is in memory and fresh for every
 * input, so an input replays the same whatever ran before it).
 *
 * Invariants: every request is answered (within hangMs); the gateway never
 * answers 5xx (an in-memory registry has no store or forwarding failures, so
 * a 5xx is an unhandled error on bad input) and answers every 4xx with
 * Confluent's JSON error body; the broker answers only 200, 404, 405 or 503.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { Random } from '@runnel/common';
import { silentLogger } from '@runnel/common';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { HttpServer } from '../../packages/broker/src/http-server.ts';
import { GatewayMetrics } from '../../packages/gateway/src/gateway-metrics.ts';
import { buildHttpApp } from '../../packages/gateway/src/http-app.ts';
import { RegistryHost } from '../../packages/gateway/src/registry/registry-host.ts';
import { RegistryService, type StoreAccess } from '../../packages/gateway/src/registry/registry-service.ts';
import { applyRecord, emptyState, type RegistryState } from '../../packages/gateway/src/registry/state.ts';
import type { FuzzInput, FuzzTarget, Outcome } from './fuzz-target.ts';
import { InvariantBroken } from './fuzz-target.ts';
import { type FuzzRequest, generateHttpRequests } from './http-requests.ts';

/** How long one request may go unanswered before it counts as a hang (a finding, not a test's timing). */
export const hangMs = 10_000;

/** A store that applies each record at once, with the reducer the real store uses. */
class MemoryStore implements StoreAccess {
  readonly state: RegistryState = emptyState();
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return operation();
  }
  async write(records: { key: Buffer | null; value: Buffer | null }[]): Promise<void> {
    for (const record of records) {
      const refused = applyRecord(this.state, record.key, record.value);
      if (refused !== null) throw new Error(`the registry wrote a record its reducer refuses: ${refused}`);
    }
  }
}

/** The registry host with its Kafka-backed store, election and barrier replaced by one in-memory writer. */
class InMemoryRegistryHost extends RegistryHost {
  #store = new MemoryStore();
  #service = new RegistryService(this.#store);

  reset(): void {
    this.#store = new MemoryStore();
    this.#service = new RegistryService(this.#store);
  }
  override service(): Promise<RegistryService> {
    return Promise.resolve(this.#service);
  }
  override async writeTarget(): Promise<'local' | string> {
    return 'local';
  }
  override async sync(): Promise<void> {}
  override hasSchemaId(id: number): boolean {
    return this.#store.state.ids.has(id);
  }
  override get notReadyReason(): string | null {
    return null;
  }
  override async stop(): Promise<void> {}
}

interface Servers {
  readonly gateway: FastifyInstance;
  readonly host: InMemoryRegistryHost;
  readonly broker: HttpServer;
  readonly agent: Agent;
}

async function startServers(): Promise<Servers> {
  const host = new InMemoryRegistryHost({ logger: silentLogger() });
  const gateway = buildHttpApp({
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    notReadyReason: () => null,
    logger: silentLogger(),
    registry: host,
  });
  await gateway.ready();
  const broker = await HttpServer.listen({
    host: '127.0.0.1',
    port: 0,
    registry: new Registry(),
    ready: () => true,
    logger: silentLogger(),
  });
  return { gateway, host, broker, agent: new Agent({ keepAlive: true, maxSockets: 1 }) };
}

interface Answer {
  status: number;
  body: string;
}

function withDeadline<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InvariantBroken(`${what}: no answer within ${hangMs} ms`)), hangMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function injectGateway(servers: Servers, req: FuzzRequest): Promise<Answer> {
  const response = await servers.gateway.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers,
    ...(req.body === null ? {} : { payload: Buffer.from(req.body, 'base64') }),
  });
  return { status: response.statusCode, body: response.body };
}

/**
 * One request on the keep-alive connection. A server may close a kept-alive
 * connection after an answer (one it gave before reading the whole body);
 * a request that met that race on a reused socket is sent again on a new
 * connection, as Node's documentation advises. A fresh connection closed
 * without an answer is a finding.
 */
function sendBroker(servers: Servers, req: FuzzRequest, reuse = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      {
        host: '127.0.0.1',
        port: servers.broker.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: reuse ? servers.agent : false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    sent.on('error', (e) => {
      if (sent.reusedSocket) sendBroker(servers, req, false).then(resolve, reject);
      else reject(e);
    });
    sent.end(req.body === null ? undefined : Buffer.from(req.body, 'base64'));
  });
}

function checkGatewayAnswer(req: FuzzRequest, answer: Answer): void {
  const where = `${req.method} ${req.url}`;
  if (answer.status >= 500) throw new InvariantBroken(`gateway ${where} answered ${answer.status}: ${answer.body}`);
  if (answer.status < 400 || req.method === 'HEAD') return;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new InvariantBroken(`gateway ${where} answered ${answer.status} without a JSON body: ${answer.body}`);
  }
  const shaped = body as { error_code?: unknown; message?: unknown } | null;
  if (typeof shaped?.error_code !== 'number' || typeof shaped.message !== 'string') {
    throw new InvariantBroken(`gateway ${where} answered ${answer.status} with ${answer.body}`);
  }
}

const brokerStatuses = new Set([200, 404, 405, 503]);

export function httpTarget(): FuzzTarget {
  let servers: Promise<Servers> | undefined;
  return {
    name: 'http',
    measuresAllocation: false,
    allocationBytesMax: () => Number.POSITIVE_INFINITY,
    generate: (rng: Random): FuzzInput => ({
      bytes: Buffer.from(JSON.stringify(generateHttpRequests(rng))),
      valid: false,
    }),
    async run(input: FuzzInput): Promise<Outcome> {
      servers ??= startServers();
      const s = await servers;
      s.host.reset();
      const requests = JSON.parse(input.bytes.toString('utf8')) as FuzzRequest[];
      let outcome: Outcome = 'accepted';
      for (const req of requests) {
        const where = `${req.server} ${req.method} ${req.url}`;
        if (req.server === 'gateway') {
          const answer = await withDeadline(where, injectGateway(s, req));
          checkGatewayAnswer(req, answer);
          if (answer.status >= 400) outcome = 'rejected';
        } else {
          const answer = await withDeadline(where, sendBroker(s, req));
          if (!brokerStatuses.has(answer.status))
            throw new InvariantBroken(`broker ${where} answered ${answer.status}`);
          if (answer.status >= 400) outcome = 'rejected';
        }
      }
      return outcome;
    },
    async close(): Promise<void> {
      if (servers === undefined) return;
      const s = await servers;
      s.agent.destroy();
      await s.gateway.close();
      await s.broker.close();
    },
  };
}
