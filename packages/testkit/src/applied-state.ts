import { assert } from '@runnel/common';
import type { ConfState, Entry } from '@runnel/raft';

/** FNV-1a over a previous digest and one entry: the digest of a state is the fold over every applied entry. */
function foldDigest(previous: number, index: number, data: Uint8Array): number {
  let hash = (previous ^ 0x811c9dc5 ^ index) >>> 0;
  for (const byte of data) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return Math.imul(hash ^ data.length, 0x01000193) >>> 0;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

interface AppliedStateImage {
  readonly appliedIndex: number;
  readonly digest: number;
  readonly values: readonly string[];
  /** The configuration in force at appliedIndex: what the application keeps with its snapshot. */
  readonly confState: ConfState;
}

const noMembers: ConfState = { voters: [], learners: [] };

/**
 * The simulated application's state machine: the list of applied proposal
 * payloads, the index applied so far, a digest over every applied entry
 * so two nodes' states can be compared in O(1), and the configuration that
 * applying the conf-change entries produced (raft hands it back from
 * applyConfChange; it goes into every snapshot taken of this state).
 *
 * Owned by one simulated node; lost on crash and rebuilt from the node's
 * durable snapshot (then committed entries are applied again). apply()
 * asserts contiguity, so a driver bug crashes the run instead of hiding.
 */
export class AppliedState {
  #appliedIndex: number;
  #digest: number;
  #values: string[];
  #confState: ConfState;

  private constructor(image: AppliedStateImage) {
    this.#appliedIndex = image.appliedIndex;
    this.#digest = image.digest;
    this.#values = [...image.values];
    this.#confState = image.confState;
  }

  /** A node that is in no configuration yet: it learns one from the leader's snapshot. */
  static empty(): AppliedState {
    return new AppliedState({ appliedIndex: 0, digest: 0, values: [], confState: noMembers });
  }

  /** The cluster's first state, at `index`, shared by every founding voter. */
  static genesis(index: number, confState: ConfState): AppliedState {
    return new AppliedState({ appliedIndex: index, digest: 0, values: [], confState });
  }

  /** Rebuilds the state from snapshot data written by encode(); empty data is the empty state. */
  static decode(data: Uint8Array): AppliedState {
    if (data.length === 0) return AppliedState.empty();
    const parsed: unknown = JSON.parse(textDecoder.decode(data));
    assert(isImage(parsed), 'snapshot data is not an applied-state image');
    return new AppliedState(parsed);
  }

  get appliedIndex(): number {
    return this.#appliedIndex;
  }

  get digest(): number {
    return this.#digest;
  }

  get values(): readonly string[] {
    return this.#values;
  }

  get confState(): ConfState {
    return this.#confState;
  }

  /** After a conf-change entry is applied: the configuration raft says is now in force. */
  setConfState(confState: ConfState): void {
    this.#confState = { voters: [...confState.voters], learners: [...confState.learners] };
  }

  apply(entry: Entry): void {
    assert(entry.index === this.#appliedIndex + 1, `applied ${entry.index} after ${this.#appliedIndex}`);
    this.#appliedIndex = entry.index;
    this.#digest = foldDigest(this.#digest, entry.index, entry.data);
    if (entry.type === 'normal' && entry.data.length > 0) this.#values.push(textDecoder.decode(entry.data));
  }

  encode(): Uint8Array {
    const image: AppliedStateImage = {
      appliedIndex: this.#appliedIndex,
      digest: this.#digest,
      values: this.#values,
      confState: this.#confState,
    };
    return textEncoder.encode(JSON.stringify(image));
  }
}

function isImage(value: unknown): value is AppliedStateImage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.appliedIndex === 'number' &&
    typeof record.digest === 'number' &&
    Array.isArray(record.values) &&
    record.values.every((item) => typeof item === 'string') &&
    isConfState(record.confState)
  );
}

function isConfState(value: unknown): value is ConfState {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const isIdList = (ids: unknown): boolean => Array.isArray(ids) && ids.every((id) => typeof id === 'number');
  return isIdList(record.voters) && isIdList(record.learners);
}
