import type { Message } from '@runnel/raft';

/** An append from node 1 to node 2 unless overridden. */
export function message(overrides: Partial<Message>): Message {
  return {
    type: 'append',
    from: 1,
    to: 2,
    term: 3,
    logTerm: 2,
    index: 10,
    entries: [],
    commit: 9,
    reject: false,
    rejectHint: 0,
    snapshot: null,
    ...overrides,
  };
}
