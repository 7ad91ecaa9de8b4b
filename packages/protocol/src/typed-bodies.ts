/**
 * Typed views of decoded bodies. decodeRequestFrame returns a plain record
 * because its API key is only known at run time; once a caller has checked
 * header.apiKey, these give it the generated type for that key. The cast is
 * sound because the body was decoded by exactly that key's definition, which
 * fills every field (absent ones with their defaults).
 */
import type { RequestByKey, ResponseByKey } from './generated/messages.ts';

export type RequestApiKey = keyof RequestByKey;

export function asRequest<K extends keyof RequestByKey>(_apiKey: K, body: Record<string, unknown>): RequestByKey[K] {
  return body as unknown as RequestByKey[K];
}

export function asResponse<K extends keyof ResponseByKey>(_apiKey: K, body: Record<string, unknown>): ResponseByKey[K] {
  return body as unknown as ResponseByKey[K];
}
