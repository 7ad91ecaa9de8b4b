/**
 * The v3 route kit inside the real REST app (its error handler and content
 * types), with no cluster behind it: Confluent's answers to an unknown
 * cluster id (404), a path id that is not a number (404), a body that
 * breaks the schema (422), and a cluster not reached yet (503).
 */
import type { KafkaClient } from '@runnel/client';
import { silentLogger } from '@runnel/common';
import { RegistryClient } from '@runnel/schema-serde';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../src/gateway-metrics.ts';
import { EmbeddedFormats } from '../src/rest/formats/embedded-formats.ts';
import { buildRestApp } from '../src/rest/rest-app.ts';
import { defaultRestLimits, type RestContext } from '../src/rest/rest-context.ts';
import { RestError, restErrorCodes } from '../src/rest/rest-error.ts';
import { intParam, intPathParam, v3Route } from '../src/rest/v3/v3-route-kit.ts';

/** A context whose cluster answers only what these tests need: its id, once `connected`. */
function fakeContext(state: { connected: boolean }): RestContext {
  const registry = new RegistryClient('http://127.0.0.1:1');
  return {
    logger: silentLogger(),
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    limits: defaultRestLimits,
    bootstrap: '127.0.0.1:1',
    advertisedUrl: 'http://gateway.example:8082',
    clusterId: () => (state.connected ? 'c-1' : null),
    client: () => {
      if (!state.connected) throw new RestError(restErrorCodes.kafkaUnavailable, 'the cluster has not answered yet');
      // The routes under test never call the client.
      return {} as KafkaClient;
    },
    connectClient: () => Promise.reject(new Error('no cluster in this test')),
    registry,
    formats: new EmbeddedFormats(registry),
    registryUrl: 'http://127.0.0.1:1',
    metricsUrls: [],
    onClusterReady: () => {},
    onStop: () => {},
  };
}

const state = { connected: true };
let app: FastifyInstance;

beforeAll(async () => {
  const context = fakeContext(state);
  app = await buildRestApp({
    context,
    metrics: context.metrics,
    notReadyReason: () => null,
    logger: silentLogger(),
    version: 'test',
  });
  v3Route(app, context, {
    method: 'POST',
    url: '/v3/clusters/:cluster_id/things/:thing_id',
    summary: 'a probe route',
    params: { thing_id: intPathParam },
    body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    handler: async (call, scope) => ({ id: intParam(call, 'thing_id'), self: scope.urls.url('things', 1) }),
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

function post(url: string, body: unknown, host?: string) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(host === undefined ? {} : { host }) },
    payload: JSON.stringify(body),
  });
}

describe('the v3 route kit', () => {
  it('answers with links on the host the caller used', async () => {
    const answer = await post('/v3/clusters/c-1/things/7', { name: 'x' }, 'proxy.example:9999');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json()).toEqual({ id: 7, self: 'http://proxy.example:9999/v3/clusters/c-1/things/1' });
  });

  it('an unknown cluster id is 404 with code 404', async () => {
    const answer = await post('/v3/clusters/other/things/7', { name: 'x' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toEqual({ error_code: 404, message: 'Cluster other cannot be found.' });
  });

  it('a path id that is not a number is 404, as JAX-RS answers a path it cannot match', async () => {
    const answer = await post('/v3/clusters/c-1/things/seven', { name: 'x' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ error_code: 404 });
  });

  it('a body that breaks the schema is 422 with code 422', async () => {
    const answer = await post('/v3/clusters/c-1/things/7', { nom: 'x' });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ error_code: 422, message: expect.stringMatching(/name/) });
  });

  it('before the cluster has answered, 503 with code 503', async () => {
    state.connected = false;
    try {
      const answer = await post('/v3/clusters/c-1/things/7', { name: 'x' });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ error_code: 503 });
    } finally {
      state.connected = true;
    }
  });
});
