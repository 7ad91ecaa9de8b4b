/**
 * The encoding of a ConfChange inside a conf-change entry, and the pure rule
 * that turns one configuration into the next.
 *
 * Grammar (5 bytes, big-endian):
 *   ConfChange => type:int8 nodeId:uint32
 *   type: 1 = add-voter, 2 = remove-voter, 3 = add-learner
 */
import { assert } from '@runnel/common';
import type { ConfChange, ConfState, NodeId } from './types.ts';

const typeCodes = { 'add-voter': 1, 'remove-voter': 2, 'add-learner': 3 } as const;

export function encodeConfChange(change: ConfChange): Uint8Array {
  const bytes = new Uint8Array(5);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, typeCodes[change.type]);
  view.setUint32(1, change.nodeId);
  return bytes;
}

/** A committed conf-change entry that does not decode is corruption or a bug, so this asserts. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  assert(data.byteLength === 5, `conf change must be 5 bytes, got ${data.byteLength}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const code = view.getUint8(0);
  const nodeId = view.getUint32(1);
  if (code === typeCodes['add-voter']) return { type: 'add-voter', nodeId };
  if (code === typeCodes['remove-voter']) return { type: 'remove-voter', nodeId };
  assert(code === typeCodes['add-learner'], `unknown conf change type ${code}`);
  return { type: 'add-learner', nodeId };
}

const without = (ids: readonly NodeId[], id: NodeId): NodeId[] => ids.filter((x) => x !== id);
const sorted = (ids: readonly NodeId[]): NodeId[] => [...ids].sort((a, b) => a - b);

/**
 * The configuration after `change`. Idempotent (re-applying a change after a
 * restart is harmless); adding a learner that is already a voter is ignored
 * (demotion would need its own change type).
 */
export function nextConfState(current: ConfState, change: ConfChange): ConfState {
  const { nodeId } = change;
  switch (change.type) {
    case 'add-voter':
      return {
        voters: sorted([...without(current.voters, nodeId), nodeId]),
        learners: without(current.learners, nodeId),
      };
    case 'remove-voter':
      return { voters: without(current.voters, nodeId), learners: without(current.learners, nodeId) };
    case 'add-learner':
      if (current.voters.includes(nodeId)) return current;
      return { voters: [...current.voters], learners: sorted([...without(current.learners, nodeId), nodeId]) };
  }
}
