/**
 * A v2 create-instance body (`POST /consumers/{group}`) read into the
 * instance's name, format and config, pure. Confluent's fields: `name`
 * (generated when absent), `format` (binary when absent), `auto.offset.reset`,
 * `auto.commit.enable`, `fetch.min.bytes`, `consumer.request.timeout.ms`
 * (strings or their JSON types); a value Kafka's consumer would refuse is
 * 42204, "Invalid consumer configuration".
 */
import { randomUUID } from 'node:crypto';
import { type EmbeddedFormat, embeddedFormats } from '../formats/embedded-formats.ts';
import { type AutoOffsetReset, defaultInstanceConfig, type InstanceConfig } from './instance-definition.ts';

export type CreateRequest =
  | { ok: true; name: string; format: EmbeddedFormat; config: InstanceConfig }
  | { ok: false; code: 'invalid_config' | 'invalid_request'; message: string };

/** Names that appear in paths and as the static member id: printable, without `/`, bounded. */
const namePattern = /^[A-Za-z0-9._\-:@+=]{1,249}$/;

export function readCreateRequest(body: unknown, newName: () => string = generatedName): CreateRequest {
  const fields = body === undefined || body === null ? {} : body;
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    return { ok: false, code: 'invalid_request', message: 'the body must be a JSON object' };
  }
  const f = fields as Record<string, unknown>;
  const rawName = f.name ?? f.id ?? null;
  if (rawName !== null && (typeof rawName !== 'string' || !namePattern.test(rawName))) {
    return { ok: false, code: 'invalid_request', message: 'name must be 1-249 characters of [A-Za-z0-9._-:@+=]' };
  }
  const format = f.format ?? 'binary';
  if (typeof format !== 'string' || !(embeddedFormats as readonly string[]).includes(format.toLowerCase())) {
    return {
      ok: false,
      code: 'invalid_request',
      message: `format must be one of ${embeddedFormats.join(', ')}`,
    };
  }
  const reset = f['auto.offset.reset'] ?? defaultInstanceConfig.autoOffsetReset;
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') {
    return invalid(`auto.offset.reset must be earliest, latest or none, not ${JSON.stringify(reset)}`);
  }
  const autoCommit = booleanOf(f['auto.commit.enable'], defaultInstanceConfig.autoCommitEnable);
  if (autoCommit === null) return invalid('auto.commit.enable must be true or false');
  const minBytes = integerOf(f['fetch.min.bytes'], defaultInstanceConfig.fetchMinBytes);
  if (minBytes === null || minBytes < 0) return invalid('fetch.min.bytes must be a non-negative integer');
  const timeoutMs = integerOf(f['consumer.request.timeout.ms'], defaultInstanceConfig.requestTimeoutMs);
  if (timeoutMs === null || timeoutMs < 0) return invalid('consumer.request.timeout.ms must be a non-negative integer');
  return {
    ok: true,
    name: rawName ?? newName(),
    format: format.toLowerCase() as EmbeddedFormat,
    config: {
      autoOffsetReset: reset as AutoOffsetReset,
      autoCommitEnable: autoCommit,
      fetchMinBytes: minBytes,
      requestTimeoutMs: timeoutMs,
    },
  };
}

function generatedName(): string {
  return `rest-consumer-${randomUUID()}`;
}

function invalid(message: string): CreateRequest {
  return { ok: false, code: 'invalid_config', message: `Invalid consumer configuration: ${message}` };
}

function booleanOf(value: unknown, fallback: boolean): boolean | null {
  if (value === undefined || value === null) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

function integerOf(value: unknown, fallback: number): number | null {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}
