/**
 * How the registry client fails when what answers is not a registry: a
 * server that accepts and never answers, and a proxy's non-JSON error page.
 * (Answers of a real registry: test/e2e/schema-serde.test.ts.)
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../src/registry-client.ts';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('RegistryClient when the other side is not a registry', () => {
  it('a server that never answers fails the request after requestTimeoutMs, and the next call asks again', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    const { port } = silent.address() as AddressInfo;
    const client = new RegistryClient(`http://127.0.0.1:${port}`, { requestTimeoutMs: 200 });
    await expect(client.schemaById(1)).rejects.toMatchObject({
      status: 0,
      message: expect.stringMatching(/no answer in time$/),
    });
    // The failure was not cached: a second call reaches the server again.
    await expect(client.schemaById(1)).rejects.toBeInstanceOf(RegistryError);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
  });

  it('a non-JSON error answer rejects with its status and the start of its text', async () => {
    const proxy = createHttpServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    }).listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    cleanups.push(() => proxy.close());
    const { port } = proxy.address() as AddressInfo;
    const failure = await new RegistryClient(`http://127.0.0.1:${port}/`).schemaById(1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RegistryError);
    expect(failure).toMatchObject({ status: 502, errorCode: 502, message: '<html>Bad Gateway</html>' });
  });
});
