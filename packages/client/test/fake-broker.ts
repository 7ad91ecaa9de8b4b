/**
 * A scripted broker for Connection tests: decodes each request frame and
 * hands it to the test's handler, which answers (or holds, or drops) it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  type AdvertisedApi,
  advertisedApis,
  decodeRequestFrame,
  encodeResponseFrame,
  type RequestHeader,
} from '@runnel/protocol';
import { FrameSplitter } from '../src/frame-splitter.ts';

export interface FakeRequest {
  header: RequestHeader;
  body: Record<string, unknown>;
  socket: Socket;
}

export type FakeHandler = (request: FakeRequest) => void;

export interface FakeBroker {
  port: number;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export function reply(request: FakeRequest, body: object): void {
  for (const chunk of encodeResponseFrame(request.header, body)) request.socket.write(chunk);
}

export interface FakeBrokerOptions {
  /** What ApiVersions advertises. Default: Runnel's table. */
  apis?: readonly AdvertisedApi[];
  /** Takes over ApiVersions; by default every version is answered with `apis`. */
  onApiVersions?: FakeHandler;
}

/** Answers ApiVersions itself (unless told otherwise), everything else with `handler`. */
export async function startFakeBroker(handler: FakeHandler, options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const apis = options.apis ?? advertisedApis;
  const onApiVersions =
    options.onApiVersions ??
    ((request: FakeRequest) =>
      reply(request, {
        errorCode: 0,
        apiKeys: apis.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })),
        throttleTimeMs: 0,
      }));
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const splitter = new FrameSplitter(1 << 20);
    socket.on('data', (data: Buffer) => {
      splitter.push(data, (frame) => {
        const decoded = decodeRequestFrame(frame);
        if (!decoded.ok) throw new Error(`fake broker got a bad request: ${decoded.message}`);
        const request = { header: decoded.header, body: decoded.body, socket };
        requests.push(request);
        if (decoded.header.apiKey === 18) onApiVersions(request);
        else handler(request);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake broker has no port');
  return {
    port: address.port,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
