/**
 * The gateway's REST Proxy (v2, v3) as the e2e tests drive it: one call with
 * a content type (v2's, a v2 embedded format's, or JSON for v3), the
 * answer's status, content type and body (parsed JSON, or the text when it
 * is not JSON: JSON lines, server-sent events).
 */
export const v2ContentType = 'application/vnd.kafka.v2+json';

/** v2's content type for one embedded format: binary, json, avro, jsonschema, protobuf. */
export function v2FormatType(format: string): string {
  return `application/vnd.kafka.${format}.v2+json`;
}

export interface RestAnswer {
  status: number;
  contentType: string;
  body: unknown;
}

export async function restCall(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; accept?: string } = {},
): Promise<RestAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined)
    headers['content-type'] = options.contentType ?? (path.startsWith('/v3') ? 'application/json' : v2ContentType);
  if (options.accept !== undefined) headers.accept = options.accept;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  try {
    return { status: response.status, contentType, body: text === '' ? null : (JSON.parse(text) as unknown) };
  } catch {
    return { status: response.status, contentType, body: text };
  }
}
