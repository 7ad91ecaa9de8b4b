/** One-line renderings of the core's values for the golden transcripts. */

import type { ConfState, Entry, Message, Ready } from '../src/index.ts';
import { decodeConfChange } from '../src/index.ts';

const untext = new TextDecoder();

export function formatConfState(confState: ConfState): string {
  return `voters=(${confState.voters.join(' ')}) learners=(${confState.learners.join(' ')})`;
}

export function formatEntry(entry: Entry): string {
  const position = `${entry.term}/${entry.index}`;
  if (entry.type === 'conf-change') {
    const change = decodeConfChange(entry.data);
    return `${position} conf-change ${change.type} ${change.nodeId}`;
  }
  return entry.data.byteLength === 0 ? `${position} empty` : `${position} "${untext.decode(entry.data)}"`;
}

export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      return `${head} last=${m.logTerm}/${m.index}${m.leaderTransfer ? ' transfer' : ''}`;
    case 'pre-vote-response':
    case 'vote-response':
      return m.reject ? `${head} rejected` : `${head} granted`;
    case 'append': {
      const entries = m.entries.map(formatEntry).join(', ');
      return `${head} prev=${m.logTerm}/${m.index} commit=${m.commit} entries=[${entries}]`;
    }
    case 'append-response':
      return m.reject
        ? `${head} rejected index=${m.index} hint=${m.logTerm}/${m.rejectHint}`
        : `${head} index=${m.index}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}`;
    case 'snapshot': {
      const meta = m.snapshot?.metadata;
      return meta === undefined
        ? `${head} (none)`
        : `${head} at=${meta.term}/${meta.index} ${formatConfState(meta.confState)}`;
    }
    case 'heartbeat-response':
      return m.reject ? `${head} rejected last=${m.rejectHint}` : head;
    case 'timeout-now':
      return head;
  }
}

export function formatReady(ready: Ready): string[] {
  const lines = [`Ready mustSync=${ready.mustSync}`];
  if (ready.softState !== null) lines.push(`role=${ready.softState.role} leader=${ready.softState.leader}`);
  const hs = ready.hardState;
  if (hs !== null) lines.push(`HardState term=${hs.term} vote=${hs.vote} commit=${hs.commit}`);
  const snapshot = ready.snapshot?.metadata;
  if (snapshot !== undefined)
    lines.push(`Snapshot ${snapshot.term}/${snapshot.index} ${formatConfState(snapshot.confState)}`);
  if (ready.entries.length > 0) lines.push(`Entries: ${ready.entries.map(formatEntry).join(', ')}`);
  if (ready.committedEntries.length > 0) lines.push(`Committed: ${ready.committedEntries.map(formatEntry).join(', ')}`);
  if (ready.messages.length > 0) lines.push('Messages:', ...ready.messages.map((m) => `  ${formatMessage(m)}`));
  return lines;
}
