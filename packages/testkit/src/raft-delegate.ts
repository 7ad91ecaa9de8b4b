import type { SimRaftNode } from './raft-seam.ts';

/**
 * A SimRaftNode that forwards every call to `node`, with some methods
 * replaced. Tests use it to break raft on purpose (grant a second vote,
 * lie about mustSync, corrupt entries) and prove the checkers notice.
 * RawNode keeps its state in private fields, so a prototype-based wrapper
 * would not work: every method is bound here explicitly.
 */
export function delegateRaftNode(node: SimRaftNode, overrides: Partial<SimRaftNode>): SimRaftNode {
  const forwarded: SimRaftNode = {
    tick: () => node.tick(),
    step: (message) => node.step(message),
    propose: (data) => node.propose(data),
    proposeConfChange: (change) => node.proposeConfChange(change),
    transferLeadership: (to) => node.transferLeadership(to),
    hasReady: () => node.hasReady(),
    ready: () => node.ready(),
    advance: (ready) => node.advance(ready),
    applyConfChange: (change) => node.applyConfChange(change),
    reportUnreachable: (id) => node.reportUnreachable(id),
    reportSnapshot: (id, outcome) => node.reportSnapshot(id, outcome),
    status: () => node.status(),
  };
  return { ...forwarded, ...overrides };
}
