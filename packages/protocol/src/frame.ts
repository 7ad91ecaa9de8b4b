/**
 * Framing: the 4-byte size prefix, header version choice and the ApiVersions
 * special cases. Everything that the message definitions cannot express.
 *
 *   frame           := int32 size, header, body            (size excludes itself)
 *   request header  := v2 if the request version is flexible, else v1
 *                      (v0 is only for ControlledShutdown v0, which Runnel lacks)
 *   response header := v1 if the response version is flexible, else v0,
 *                      except ApiVersions responses, always v0 (KIP-511): a
 *                      client must be able to read it before it knows versions.
 */
import { assert } from '@runnel/common';
import { advertisedApis } from './api-versions-table.ts';
import { ErrorCode } from './errors.ts';
import { requestHeaderDef, responseHeaderDef } from './messages/headers.ts';
import { apiDefs } from './messages/index.ts';
import { readMessage, writeMessage } from './schema/codec.ts';
import { DecodeError, Reader } from './schema/reader.ts';
import type { ApiDef, MessageDef } from './schema/types.ts';
import { inVersions } from './schema/versions.ts';
import { Writer } from './schema/writer.ts';

const apiVersionsKey = 18;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export type RequestDecodeError = 'malformed_header' | 'unknown_api_key' | 'unsupported_version' | 'malformed_body';

export type RequestDecodeResult =
  | { ok: true; header: RequestHeader; body: Record<string, unknown> }
  | { ok: false; error: RequestDecodeError; header: RequestHeader | null; message: string };

const defsByKey = new Map<number, ApiDef>(apiDefs.map((d) => [d.apiKey, d]));

export function apiDefByKey(apiKey: number): ApiDef | undefined {
  return defsByKey.get(apiKey);
}

export function requestHeaderVersion(def: ApiDef, apiVersion: number): number {
  return inVersions(def.request.flexibleVersions, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(def: ApiDef, apiVersion: number): number {
  if (def.apiKey === apiVersionsKey) return 0;
  return inVersions(def.response.flexibleVersions, apiVersion) ? 1 : 0;
}

/** frame = the request bytes after the 4-byte size prefix. Never throws. */
export function decodeRequestFrame(frame: Buffer): RequestDecodeResult {
  const r = new Reader(frame);
  let header: RequestHeader;
  try {
    // The v1 prefix (key, version, correlation id, client id) is common to
    // header v1 and v2, so it is readable before we know whether the API and
    // version exist; the broker needs it to answer even unknown requests.
    header = readMessage(requestHeaderDef, 1, r) as unknown as RequestHeader;
  } catch (e) {
    return fail('malformed_header', null, describe(e));
  }
  const def = defsByKey.get(header.apiKey);
  if (def === undefined) return fail('unknown_api_key', header, `unknown API key ${header.apiKey}`);
  if (!inVersions(def.request.validVersions, header.apiVersion)) {
    return fail('unsupported_version', header, `${def.name} v${header.apiVersion} is not supported`);
  }
  try {
    if (requestHeaderVersion(def, header.apiVersion) === 2) skipTaggedFields(r);
  } catch (e) {
    return fail('malformed_header', header, describe(e));
  }
  try {
    const body = readMessage(def.request, header.apiVersion, r);
    if (r.remaining !== 0) {
      return fail('malformed_body', header, `${def.request.name} v${header.apiVersion}: ${r.remaining} trailing bytes`);
    }
    return { ok: true, header, body };
  } catch (e) {
    return fail('malformed_body', header, describe(e));
  }
}

/**
 * Only DecodeError is expected here. Anything else is a codec bug, but this
 * function promises never to throw, so it is reported with a marker the
 * fuzz test looks for.
 */
function describe(e: unknown): string {
  return e instanceof DecodeError ? e.message : `internal: ${String(e)}`;
}

function fail(error: RequestDecodeError, header: RequestHeader | null, message: string): RequestDecodeResult {
  return { ok: false, error, header, message };
}

/** The header's tagged fields: none are defined, so all are skipped. */
function skipTaggedFields(r: Reader): void {
  readMessage(emptyTaggedDef, 0, r);
}

const emptyTaggedDef: MessageDef = {
  name: 'HeaderTaggedFields',
  apiKey: -1,
  kind: 'header',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [],
};

/** Full response frame including the 4-byte size prefix; record buffers stay separate chunks. */
export function encodeResponseFrame(header: RequestHeader, body: object): Buffer[] {
  const def = defsByKey.get(header.apiKey);
  assert(def !== undefined, `no definition for API key ${header.apiKey}`);
  const w = new Writer();
  w.int32(0);
  writeMessage(responseHeaderDef, responseHeaderVersion(def, header.apiVersion), header, w);
  writeMessage(def.response, header.apiVersion, body, w);
  return sealFrame(w);
}

/** The reply to an ApiVersions request at an unsupported version: a v0 body with UNSUPPORTED_VERSION. */
export function encodeApiVersionsUnsupportedFrame(correlationId: number): Buffer[] {
  const def = defsByKey.get(apiVersionsKey);
  const range = advertisedApis.find((a) => a.apiKey === apiVersionsKey);
  assert(def !== undefined && range !== undefined, 'ApiVersions is not defined');
  const w = new Writer();
  w.int32(0);
  writeMessage(responseHeaderDef, 0, { correlationId }, w);
  writeMessage(def.response, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [range] }, w);
  return sealFrame(w);
}

/** Client side: a request frame including the size prefix. */
export function encodeRequestFrame(header: RequestHeader, body: object): Buffer[] {
  const def = defsByKey.get(header.apiKey);
  assert(def !== undefined, `no definition for API key ${header.apiKey}`);
  const w = new Writer();
  w.int32(0);
  writeMessage(requestHeaderDef, requestHeaderVersion(def, header.apiVersion), header, w);
  writeMessage(def.request, header.apiVersion, body, w);
  return sealFrame(w);
}

/** Client side: frame = the response bytes after the size prefix. Throws DecodeError only. */
export function decodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: Record<string, unknown> } {
  const def = defsByKey.get(apiKey);
  if (def === undefined) throw new DecodeError(`unknown API key ${apiKey}`);
  if (!inVersions(def.response.validVersions, apiVersion)) {
    throw new DecodeError(`${def.name} v${apiVersion} is not supported`);
  }
  const r = new Reader(frame);
  const header = readMessage(responseHeaderDef, responseHeaderVersion(def, apiVersion), r);
  const body = readMessage(def.response, apiVersion, r);
  if (r.remaining !== 0) throw new DecodeError(`${def.response.name} v${apiVersion}: ${r.remaining} trailing bytes`);
  return { correlationId: header.correlationId as number, body };
}

function sealFrame(w: Writer): Buffer[] {
  const size = w.length - 4;
  const chunks = w.finish();
  const first = chunks[0];
  assert(first !== undefined && first.length >= 4, 'frame lost its size prefix');
  first.writeInt32BE(size, 0);
  return chunks;
}
