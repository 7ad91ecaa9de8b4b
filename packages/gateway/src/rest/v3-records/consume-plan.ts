/**
 * The consume route's decisions, pure: where reading starts and how much
 * one answer may carry. The route asks the partition's bounds (and, for a
 * timestamp, the offset ListOffsets finds) and applies these.
 */
import { RestError } from '../rest-error.ts';
import type { ConsumeFormat } from './record-render.ts';

export interface ConsumeQuery {
  offset?: string;
  timestamp?: string;
  max_records?: number;
  max_bytes?: number;
  timeout_ms?: number;
  format?: ConsumeFormat;
}

export interface ConsumeLimits {
  /** Open consume streams (JSON lines and events) per gateway. */
  streamsMax: number;
  /** max_records when none is asked for (JSON lines; events follow without end). */
  recordsDefault: number;
  recordsMax: number;
  /** max_bytes when none is asked for. */
  bytesDefault: number;
}

export const defaultConsumeLimits: ConsumeLimits = {
  streamsMax: 100,
  recordsDefault: 500,
  recordsMax: 100_000,
  bytesDefault: 4 * 1024 * 1024,
};

/** Where to start: an offset already checked against the partition, or a time to look up. */
export type StartAt = { kind: 'offset'; offset: bigint } | { kind: 'timestamp'; ms: bigint };

/** Throws RestError 400 (both offset and timestamp, or a timestamp that is no time) or 416 (offset out of range). */
export function startAt(query: ConsumeQuery, earliest: bigint, latest: bigint): StartAt {
  if (query.offset !== undefined && query.timestamp !== undefined)
    throw new RestError(400, 'Give offset or timestamp, not both.');
  if (query.timestamp !== undefined) {
    const ms = /^\d+$/.test(query.timestamp) ? Number(query.timestamp) : Date.parse(query.timestamp);
    if (!Number.isFinite(ms)) throw new RestError(400, `timestamp ${query.timestamp} is not a time`);
    return { kind: 'timestamp', ms: BigInt(Math.trunc(ms)) };
  }
  if (query.offset === undefined || query.offset === 'earliest') return { kind: 'offset', offset: earliest };
  if (query.offset === 'latest') return { kind: 'offset', offset: latest };
  const offset = BigInt(query.offset);
  if (offset < earliest || offset > latest)
    throw new RestError(416, `Offset ${offset} is outside the partition's range [${earliest}, ${latest}].`);
  return { kind: 'offset', offset };
}

/** The offset ListOffsets found for a time (-1 when no record is at or after it: then the end, where the next comes). */
export function offsetForTimestamp(found: bigint, latest: bigint): bigint {
  return found < 0n ? latest : found;
}

/** How many records and bytes one answer carries: events follow without a record bound unless one is asked. */
export function readBounds(
  query: ConsumeQuery,
  events: boolean,
  limits: ConsumeLimits,
  responseBytesMax: number,
): { recordsMax: number; bytesMax: number } {
  const recordsMax = events
    ? (query.max_records ?? Number.MAX_SAFE_INTEGER)
    : Math.min(query.max_records ?? limits.recordsDefault, limits.recordsMax);
  return { recordsMax, bytesMax: Math.min(query.max_bytes ?? limits.bytesDefault, responseBytesMax) };
}
