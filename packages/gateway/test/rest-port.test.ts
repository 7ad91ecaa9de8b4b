import { silentLogger } from '@runnel/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../src/index.ts';
import { closedPort } from './closed-port.ts';

describe("the gateway's REST port, before its cluster answers", () => {
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    gateway = await Gateway.start({
      bootstrap: `127.0.0.1:${await closedPort()}`,
      host: '127.0.0.1',
      registryPort: 0,
      restPort: 0,
      logger: silentLogger(),
    });
    base = `http://127.0.0.1:${gateway.restPort}`;
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it('listens on its own port beside the registry and serves the operational endpoints there', async () => {
    expect(gateway.restPort).not.toBe(gateway.registryPort);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('runnel_gateway_rest_consumer_instances');
  });

  it('describes itself at /openapi.json as OpenAPI 3.1', async () => {
    const response = await fetch(`${base}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; info: { title: string }; paths: object };
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toContain('Runnel');
    expect(document.paths).not.toHaveProperty('/openapi.json');
  });

  it('answers an unknown v2 path with v2 error body and content type', async () => {
    const response = await fetch(`${base}/no/such/resource`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.kafka\.v2\+json/);
    expect(await response.json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  it('answers an unknown v3 path in plain JSON', async () => {
    const response = await fetch(`${base}/v3/no/such/resource`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  it('answers a percent escape the router cannot decode with a 400 in the same shape', async () => {
    const response = await fetch(`${base}/topics/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code: number }).error_code).toBe(400);
  });
});
