import { silentLogger } from '@runnel/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, InvalidBootstrapError } from '../src/index.ts';
import { closedPort } from './closed-port.ts';

describe('a gateway whose cluster does not answer', () => {
  let gateway: Gateway;
  let base: string;
  let clusterPort: number;

  beforeAll(async () => {
    clusterPort = await closedPort();
    gateway = await Gateway.start({
      bootstrap: `127.0.0.1:${clusterPort}`,
      host: '127.0.0.1',
      registryPort: 0,
      restPort: 0,
      httpPort: 0,
      logger: silentLogger(),
    });
    base = `http://127.0.0.1:${gateway.registryPort}`;
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it('GET / answers an empty JSON object in the registry content type', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json(;|$)/);
    expect(await response.json()).toEqual({});
  });

  it('/healthz answers 200 while /readyz answers 503 naming the unreachable cluster', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain(`127.0.0.1:${clusterPort}`);
    expect(gateway.ready).toBe(false);
  });

  it('an unknown path answers 404 with Confluent error body {error_code: 404, message}', async () => {
    const response = await fetch(`${base}/no/such/resource`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json(;|$)/);
    expect(await response.json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  it('a POST to a path no route serves answers the 404 body without reading its body, even one that does not parse', async () => {
    for (const [type, body] of [
      ['application/json', '{not json'],
      ['text/x-unknown', 'anything'],
    ] as const) {
      const response = await fetch(`${base}/no-such-resource/s`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
    }
  });

  it('a registry path asked with a method it does not take answers 405 with Confluent`s body and Allow', async () => {
    for (const [method, path, allow] of [
      ['PATCH', '/subjects', 'GET'],
      ['PUT', '/subjects/s/versions', 'GET, POST'],
      ['POST', '/mode/s?force=true', 'DELETE, GET, PUT'],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json(;|$)/);
      expect(await response.json()).toEqual({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
    }
  });

  it('the router`s own refusals (undecodable escapes, an over-long path parameter) answer with Confluent`s body', async () => {
    for (const [path, status] of [
      ['/subjects/%ZZ/versions', 400],
      [`/subjects/${'x'.repeat(300)}/versions`, 414],
    ] as const) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json(;|$)/);
      const body = (await response.json()) as { error_code: unknown; message: unknown };
      expect(body.error_code).toBe(status);
      expect(typeof body.message).toBe('string');
    }
  });

  it('GET /contexts answers the default context only', async () => {
    const response = await fetch(`${base}/contexts`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(['.']);
  });

  it('/metrics counts requests by route template, and every unknown path under one label', async () => {
    await fetch(`${base}/unknown-a`);
    await fetch(`${base}/unknown-b`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^runnel_gateway_http_requests_total\{route="\/",method="GET",status="200"\} \d+$/m);
    expect(text).toMatch(/^runnel_gateway_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+$/m);
    expect(text).not.toContain('unknown-a');
    expect(text).toMatch(/^runnel_gateway_http_request_duration_seconds_bucket\{/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('the operations port serves /readyz and /metrics but not the registry root', async () => {
    const ops = `http://127.0.0.1:${gateway.httpPort}`;
    expect((await fetch(`${ops}/readyz`)).status).toBe(503);
    expect((await fetch(`${ops}/metrics`)).status).toBe(200);
    expect((await fetch(`${ops}/`)).status).toBe(404);
  });
});

describe('Gateway.start', () => {
  it('refuses a bootstrap list that does not parse, before listening', async () => {
    await expect(
      Gateway.start({
        bootstrap: 'host:notaport',
        host: '127.0.0.1',
        registryPort: 0,
        restPort: 0,
        logger: silentLogger(),
      }),
    ).rejects.toBeInstanceOf(InvalidBootstrapError);
  });

  it('stop() closes the registry port', async () => {
    const gateway = await Gateway.start({
      bootstrap: `127.0.0.1:${await closedPort()}`,
      host: '127.0.0.1',
      registryPort: 0,
      restPort: 0,
      logger: silentLogger(),
    });
    const url = `http://127.0.0.1:${gateway.registryPort}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    await gateway.stop();
    await expect(fetch(url)).rejects.toThrow();
  });

  // The compose file's case: the registry on one interface, the metrics port on another. 127.0.0.2 is
  // loopback too on Linux, so the test needs no other interface; a gateway binding `host` for both
  // would answer the ops port on 127.0.0.1 and refuse it on 127.0.0.2.
  it('binds the operations port on httpHost, not on host, when httpHost is given', async () => {
    const gateway = await Gateway.start({
      bootstrap: `127.0.0.1:${await closedPort()}`,
      host: '127.0.0.1',
      registryPort: 0,
      restPort: 0,
      httpHost: '127.0.0.2',
      httpPort: 0,
      logger: silentLogger(),
    });
    try {
      expect((await fetch(`http://127.0.0.2:${gateway.httpPort}/metrics`)).status).toBe(200);
      await expect(fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).rejects.toThrow();
      expect((await fetch(`http://127.0.0.1:${gateway.registryPort}/`)).status).toBe(200);
      await expect(fetch(`http://127.0.0.2:${gateway.registryPort}/`)).rejects.toThrow();
    } finally {
      await gateway.stop();
    }
  });
});
