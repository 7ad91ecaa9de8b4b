/**
 * Consistency at the HTTP edge of the registry, one hook before every
 * registry handler:
 *
 * - A write (PUT, DELETE, or registering a version) runs here when this
 *   gateway is the elected writer; otherwise it is forwarded, as received,
 *   to the writer's URL, and its answer relayed once this gateway's own
 *   state has caught up with it (so the caller's next read here sees it).
 *   A writer that refuses the connection (killed) is waited out: the
 *   request goes to the next one the election names.
 * - A read first passes the store's read barrier, so it never answers from
 *   a state older than a write acknowledged before it arrived, through any
 *   gateway. The list of types and a schema by an id already known skip it:
 *   neither ever changes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { registryContentType } from './error-body.ts';
import { registryErrors } from './registry-error.ts';
import type { RegistryHost } from './registry-host.ts';

/** Marks a request one gateway forwarded to another; it is never forwarded again. */
export const forwardedHeader = 'x-runnel-registry-forwarded';

/** How long a forwarded write may take at the writer. */
const forwardTimeoutMs = 30_000;

/** Whether the route changes the registry (POST /subjects/{s} is a lookup and POST /compatibility a check). */
export function isWrite(method: string, route: string | undefined): boolean {
  if (method === 'PUT' || method === 'DELETE') return true;
  return method === 'POST' && route === '/subjects/:subject/versions';
}

export function registryConsistencyHook(host: RegistryHost) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = request.routeOptions.url;
    if (!isWrite(request.method, route)) {
      if (!answersWithoutBarrier(host, route, request.params)) await host.sync();
      return undefined;
    }
    const forwarded = request.headers[forwardedHeader] !== undefined;
    let unreachable: string | null = null;
    for (;;) {
      const target = await host.writeTarget(forwarded, unreachable);
      if (target === 'local') return undefined;
      const answer = await forward(target, request);
      if (answer !== 'unreachable') host.forwarded();
      if (answer === 'unreachable') {
        // The request never reached it, so sending it elsewhere cannot apply it twice: wait for the next writer.
        unreachable = target;
        continue;
      }
      await host.sync();
      reply.code(answer.status).header('content-type', answer.contentType);
      return reply.send(answer.body);
    }
  };
}

/** Answers that cannot be stale: the fixed list of types, and a schema by an id already known. */
function answersWithoutBarrier(host: RegistryHost, route: string | undefined, params: unknown): boolean {
  if (route === '/schemas/types') return true;
  if (route !== '/schemas/ids/:id') return false;
  const id = Number((params as { id?: string }).id);
  return Number.isInteger(id) && host.hasSchemaId(id);
}

interface Relayed {
  status: number;
  contentType: string;
  body: string;
}

/** Errors that mean no connection was made, so the writer never saw the request. */
const notConnected = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Errors of a connection the writer closed under the request: most often a
 * kept-alive connection it closed as it stopped, before reading the
 * request; but it may have run it. Only a request whose repetition answers
 * the same is sent on again: registering (the same schema gets the same
 * id) and PUT (setting the same config or mode). A DELETE is not (a second
 * one answers "already deleted").
 */
const closedUnder = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * The writer's answer, or 'unreachable' when the request may go to the
 * next writer: the writer surely did not run it (no connection, a 503 from
 * a gateway that is stopping), or running it twice answers the same;
 * 50003 when it failed otherwise.
 */
async function forward(writerUrl: string, request: FastifyRequest): Promise<Relayed | 'unreachable'> {
  const headers: Record<string, string> = {
    [forwardedHeader]: '1',
    'content-type': registryContentType,
    accept: registryContentType,
  };
  const authorization = request.headers.authorization;
  if (authorization !== undefined) headers.authorization = authorization;
  let response: Response;
  let body: string;
  try {
    response = await fetch(new URL(request.url, writerUrl), {
      method: request.method,
      headers,
      // The body as parsed (JSON): the writer parses it again; layout is not part of any answer.
      ...(request.body === null || request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(forwardTimeoutMs),
    });
    body = await response.text();
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    if (code !== undefined && notConnected.has(code)) return 'unreachable';
    if (code !== undefined && closedUnder.has(code) && request.method !== 'DELETE') return 'unreachable';
    throw registryErrors.forwardingFailed(`${writerUrl}: ${(error as Error).message}`);
  }
  // A gateway that is stopping answers 503 without running the request (registry errors are 500s, never 503):
  // like a refused connection, the request can go to the next writer.
  if (response.status === 503) return 'unreachable';
  return { status: response.status, contentType: response.headers.get('content-type') ?? registryContentType, body };
}
