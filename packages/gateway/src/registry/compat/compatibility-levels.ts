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

/** One reason a reader schema cannot read what a writer schema wrote, in any format. */
export interface Incompatibility {
  /** The change type, named as Confluent's verbose answers name it. */
  readonly type: string;
  /** Where in the schema: a JSON pointer (`/fields/2/type`, `#/properties/a`) or a format's own path. */
  readonly path: string;
  /** What is wrong, in words. */
  readonly message: string;
  /** The name, value or type the message is about. */
  readonly detail: string;
}

/** Which schema of a check a message speaks of: the candidate ("new") or an earlier version ("old"). */
export type Side = 'new' | 'old';

/**
 * A reason whose verbose entry depends on which side read (Protobuf's
 * entries name the new or old schema): a change type at a path.
 */
export interface FormatIncompatibility {
  readonly type: string;
  readonly path: string;
  readonly verbose: (reader: Side, writer: Side) => string;
}

/** Reasons `reader` cannot read what `writer` wrote; empty when it can. */
export type ReaderWriterCheck<S> = (reader: S, writer: S) => readonly (Incompatibility | FormatIncompatibility)[];

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

function entry(p: Incompatibility | FormatIncompatibility, reader: Side, writer: Side): string {
  if ('verbose' in p) return p.verbose(reader, writer);
  return `{errorType:'${p.type}', description:'${describeProblem(p)}', additionalInfo:'${p.detail}'}`;
}

function describeProblem(p: Incompatibility): string {
  return `At path '${p.path}': ${p.message}`;
}
