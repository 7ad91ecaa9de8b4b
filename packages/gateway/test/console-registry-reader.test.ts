import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryReader } from '../src/console/schemas/registry-reader.ts';
import { RestError } from '../src/rest/rest-error.ts';

/** A stand-in registry on a real socket: each path answers one scripted status and body. */
const answers: Record<string, { status: number; body: string }> = {
  '/subjects/missing/versions/latest': {
    status: 404,
    body: '{"error_code":40401,"message":"Subject \'missing\' not found."}',
  },
  '/subjects/broken/versions/latest': {
    status: 500,
    body: '{"error_code":50001,"message":"Error in the backend data store"}',
  },
  '/subjects/proxied/versions/latest': { status: 503, body: '<html>bad gateway</html>' },
  '/subjects/plain/versions/1': { status: 200, body: '{"subject":"plain","version":1,"id":9,"schema":"\\"string\\""}' },
};
let server: Server;
let reader: RegistryReader;

beforeAll(async () => {
  server = createServer((request, response) => {
    const answer = answers[request.url ?? ''] ?? {
      status: 404,
      body: '{"error_code":404,"message":"HTTP 404 Not Found"}',
    };
    response.writeHead(answer.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  reader = new RegistryReader(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function failure(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RestError) return { code: error.errorCode, message: error.message };
    throw error;
  }
  throw new Error('the call did not fail');
}

describe("the console's registry reader", () => {
  it("passes the registry's own code and message on (40401 answers 404)", async () => {
    expect(await failure(reader.version('missing', 'latest'))).toEqual({
      code: 40401,
      message: "Subject 'missing' not found.",
    });
  });

  it("a registry 5xx, JSON or a proxy's page, answers 502: the registry failed, not the request", async () => {
    expect(await failure(reader.version('broken', 'latest'))).toEqual({
      code: 502,
      message: 'Error in the backend data store',
    });
    expect(await failure(reader.version('proxied', 'latest'))).toEqual({
      code: 502,
      message: 'schema registry answered 503',
    });
  });

  it('an Avro version, whose answer leaves schemaType out, reads as AVRO', async () => {
    expect(await reader.version('plain', 1)).toMatchObject({ version: 1, id: 9, schemaType: 'AVRO', references: [] });
  });

  it('a registry that is not there answers 502', async () => {
    const gone = new RegistryReader('http://127.0.0.1:1');
    expect((await failure(gone.subjects())).code).toBe(502);
  });
});
