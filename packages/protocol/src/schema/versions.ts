/**
 * Version specs in Kafka's notation: "none", "N", "N+", "N-M". Parsed once
 * per field when a codec plan is compiled, never per message.
 */
import { assert } from '@runnel/common';
import type { VersionSpec } from './types.ts';

export interface VersionRange {
  readonly min: number;
  /** Inclusive; Infinity for "N+". */
  readonly max: number;
}

const none: VersionRange = { min: 1, max: 0 };
const cache = new Map<string, VersionRange>();

export function parseVersions(spec: VersionSpec): VersionRange {
  const cached = cache.get(spec);
  if (cached !== undefined) return cached;
  const range = parseUncached(spec.trim());
  cache.set(spec, range);
  return range;
}

function parseUncached(spec: string): VersionRange {
  if (spec === 'none' || spec === '') return none;
  if (spec.endsWith('+')) return { min: parseVersionNumber(spec.slice(0, -1), spec), max: Number.POSITIVE_INFINITY };
  const dash = spec.indexOf('-');
  if (dash > 0) {
    return { min: parseVersionNumber(spec.slice(0, dash), spec), max: parseVersionNumber(spec.slice(dash + 1), spec) };
  }
  const v = parseVersionNumber(spec, spec);
  return { min: v, max: v };
}

function parseVersionNumber(text: string, spec: string): number {
  // A malformed spec is a bug in a message definition, caught when its plan is first compiled.
  assert(/^\d+$/.test(text), `invalid version spec "${spec}"`);
  return Number(text);
}

export function inVersions(spec: VersionSpec | undefined, version: number): boolean {
  if (spec === undefined) return false;
  const r = parseVersions(spec);
  return version >= r.min && version <= r.max;
}

/** Every version in a finite range, e.g. a definition's validVersions. */
export function versionsOf(spec: VersionSpec): number[] {
  const r = parseVersions(spec);
  assert(r.max !== Number.POSITIVE_INFINITY, `version spec "${spec}" is open-ended`);
  const out: number[] = [];
  for (let v = r.min; v <= r.max; v++) out.push(v);
  return out;
}
