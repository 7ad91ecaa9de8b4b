/**
 * Sends a v2 consumer request on to the gateway that owns the instance and
 * hands back its answer unchanged (status, content type, body streamed
 * through, so a large records answer is never held here whole). node:http
 * rather than fetch: v2's GET .../offsets carries a body, which fetch
 * refuses. A connection the owner refuses or resets, or an answer that does
 * not come in time, is a failure the caller may take the instance over on.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ForwardFailure } from './ownership.ts';

/** Marks a forwarded request, so the gateway receiving it never forwards it again. */
export const forwardedHeader = 'x-runnel-forwarded';

export interface ForwardRequest {
  readonly method: string;
  /** The owner's REST URL. */
  readonly base: string;
  /** Path and query of the original request. */
  readonly url: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly body: unknown;
  readonly timeoutMs: number;
}

export type ForwardResult =
  | {
      ok: true;
      status: number;
      contentType: string | undefined;
      contentLength: string | undefined;
      /** The owner's answer body, streamed through (never buffered here). */
      body: IncomingMessage;
    }
  | { ok: false; failure: ForwardFailure; message: string };

export function forward(request: ForwardRequest): Promise<ForwardResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(request.url, request.base);
    } catch (error) {
      resolve({ ok: false, failure: 'unreachable', message: (error as Error).message });
      return;
    }
    const body = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body), 'utf8');
    const headers: Record<string, string> = { [forwardedHeader]: '1' };
    if (request.accept !== undefined) headers.accept = request.accept;
    if (body !== null) {
      headers['content-type'] = request.contentType ?? 'application/vnd.kafka.v2+json';
      headers['content-length'] = String(body.length);
    }
    const outgoing = httpRequest(
      target,
      // The timeout covers the answer's headers and body: an owner that stops mid-answer ends the stream.
      { method: request.method, headers, signal: AbortSignal.timeout(request.timeoutMs) },
      (answer) => {
        const contentLength = answer.headers['content-length'];
        resolve({
          ok: true,
          status: answer.statusCode ?? 502,
          contentType: answer.headers['content-type'],
          contentLength: typeof contentLength === 'string' ? contentLength : undefined,
          body: answer,
        });
      },
    );
    // Before an answer: no owner (refused, reset, timed out). After one, the error ends the streamed body instead.
    outgoing.on('error', (error) => resolve({ ok: false, failure: failureOf(error), message: error.message }));
    outgoing.end(body ?? undefined);
  });
}

function failureOf(error: Error): ForwardFailure {
  return error.name === 'TimeoutError' || error.name === 'AbortError' ? 'timeout' : 'unreachable';
}
