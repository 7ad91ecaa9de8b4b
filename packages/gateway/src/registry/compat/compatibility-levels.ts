/**
 * The seven compatibility levels over a subject's earlier versions, for
 * any format whose checker answers "can `reader` read what `writer`
 * wrote". BACKWARD: the new schema reads data written with the latest;
 * FORWARD: the latest reads data written with the new one; FULL: both;
 * the _TRANSITIVE forms do the same against every earlier version; NONE
 * checks nothing. Messages follow the shape of Confluent's verbose
 * answers (`{"is_compatible": false, "messages": [...]}`), one group per
 * failing earlier version: each problem, then the version, the schema
 * and the level.
 */
import type { AvroIncompatibility } from './avro-compat.ts';

export const COMPATIBILITY_LEVELS = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(value: string): value is CompatibilityLevel {
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/** An earlier version of the subject, oldest first in the list given. */
export interface PreviousVersion<S> {
  readonly version: number;
  readonly schema: S;
  /** The schema text as stored, quoted in messages. */
  readonly text: string;
}

/** Which schema of a check a message speaks of: the candidate ("new") or an earlier version ("old"). */
export type Side = 'new' | 'old';

/**
 * A reason of a format other than Avro: a change type at a path, and its
 * verbose entry given which side read (formats shape these differently).
 */
export interface FormatIncompatibility {
  readonly type: string;
  readonly path: string;
  readonly verbose: (reader: Side, writer: Side) => string;
}

/** Reasons `reader` cannot read what `writer` wrote; empty when it can. */
export type ReaderWriterCheck<S> = (reader: S, writer: S) => readonly (AvroIncompatibility | FormatIncompatibility)[];

export interface CompatibilityResult {
  readonly is_compatible: boolean;
  readonly messages: string[];
}

/**
 * Checks `candidate` against `previous` (oldest first) under `level`.
 * Non-transitive levels look only at the last (latest) version.
 */
export function checkCompatibility<S>(
  level: CompatibilityLevel,
  candidate: S,
  previous: readonly PreviousVersion<S>[],
  check: ReaderWriterCheck<S>,
): CompatibilityResult {
  if (level === 'NONE' || previous.length === 0) return { is_compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? [...previous].reverse() : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const old of against) {
    const problems = [
      ...(backward ? check(candidate, old.schema).map((p) => entry(p, 'new', 'old')) : []),
      ...(forward ? check(old.schema, candidate).map((p) => entry(p, 'old', 'new')) : []),
    ];
    if (problems.length === 0) continue;
    messages.push(...problems);
    messages.push(`{oldSchemaVersion: ${old.version}}`);
    messages.push(`{oldSchema: '${old.text}'}`);
    messages.push(`{validateFields: 'false', compatibility: '${level}'}`);
  }
  return { is_compatible: messages.length === 0, messages };
}

function entry(p: AvroIncompatibility | FormatIncompatibility, reader: Side, writer: Side): string {
  if ('verbose' in p) return p.verbose(reader, writer);
  return `{errorType:'${p.type}', description:'${describeProblem(p)}', additionalInfo:'${p.detail}'}`;
}

function describeProblem(p: AvroIncompatibility): string {
  return `At path '${p.path}': ${p.message}`;
}
