/**
 * The driver behind the golden-transcript scenarios: a handful of RawNodes
 * over MemoryStorage and an in-memory network that delivers only when told
 * to, so every scenario replays exactly. Each command writes lines that the
 * runner compares with the recorded transcript. While it drives the nodes it
 * checks two Raft invariants across the cluster: at most one leader per term,
 * and an applied index never holds two different entries.
 */
import { assert, Random } from '@runnel/common';
import type { ConfState, Entry, Message, NodeId, Ready } from '../src/index.ts';
import { decodeConfChange, MemoryStorage, RawNode } from '../src/index.ts';
import { formatConfState, formatEntry, formatMessage, formatReady } from './interaction-format.ts';

interface Node {
  raw: RawNode;
  storage: MemoryStorage;
  readonly options: NodeOptions;
  /** The state machine: the data of every applied normal entry, in order. */
  appliedData: string[];
  confState: ConfState;
}

interface NodeOptions {
  preVote: boolean;
  checkQuorum: boolean;
  inflightMessagesMax: number;
  messageBytesMax: number;
  electionTicks: number;
  heartbeatTicks: number;
}

const text = new TextEncoder();
const untext = new TextDecoder();
const stabilizeRoundsMax = 1000;

export class InteractionEnv {
  readonly #nodes = new Map<NodeId, Node>();
  #inFlight: Message[] = [];
  /** Node -> partition group; messages between groups are dropped. Null when healed. */
  #groups: Map<NodeId, number> | null = null;
  readonly #leaderOfTerm = new Map<number, NodeId>();
  readonly #appliedTerms = new Map<number, number>();
  #out: string[] = [];

  run(command: string, args: readonly string[]): string {
    this.#out = [];
    switch (command) {
      case 'add-nodes':
        this.#addNodes(args);
        break;
      case 'campaign':
        this.#node(args[0]).raw.campaign();
        this.#out.push('ok');
        break;
      case 'tick':
        this.#tick(args);
        break;
      case 'stabilize':
        this.#stabilize(args.length > 0 ? args.map(Number) : [...this.#nodes.keys()]);
        break;
      case 'propose':
        this.#result(this.#node(args[0]).raw.propose(text.encode(args[1] ?? '')));
        break;
      case 'conf-change':
        this.#confChange(args);
        break;
      case 'transfer':
        this.#result(this.#node(args[0]).raw.transferLeadership(Number(args[1])));
        break;
      case 'partition':
        this.#partition(args);
        break;
      case 'heal':
        this.#groups = null;
        this.#out.push('ok');
        break;
      case 'compact':
        this.#compact(args);
        break;
      case 'restart':
        this.#restart(args);
        break;
      case 'wipe':
        this.#wipe(args);
        break;
      case 'rejoin':
        this.#rejoin(args);
        break;
      case 'status':
        this.#status();
        break;
      case 'log':
        this.#log(args);
        break;
      default:
        throw new Error(`unknown command ${command}`);
    }
    return this.#out.join('\n');
  }

  #node(arg: string | undefined): Node {
    const node = this.#nodes.get(Number(arg));
    assert(node !== undefined, `no node ${arg}`);
    return node;
  }

  #result(result: { ok: boolean; error?: string }): void {
    this.#out.push(result.ok ? 'ok' : `error: ${result.error}`);
  }

  /**
   * `add-nodes N [prevote=false] [checkquorum=false] [inflight=N] [bytes=N]`.
   * The first call bootstraps its nodes as the voters (a snapshot at index 1);
   * later calls add empty nodes that join through conf changes.
   */
  #addNodes(args: readonly string[]): void {
    const count = Number(args[0]);
    const option = (name: string): string | undefined =>
      args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
    const options: NodeOptions = {
      preVote: option('prevote') !== 'false',
      checkQuorum: option('checkquorum') !== 'false',
      inflightMessagesMax: Number(option('inflight') ?? 256),
      messageBytesMax: Number(option('bytes') ?? 1024 * 1024),
      electionTicks: 10,
      heartbeatTicks: 1,
    };
    const bootstrap = this.#nodes.size === 0;
    const first = this.#nodes.size + 1;
    const ids = Array.from({ length: count }, (_, i) => first + i);
    for (const id of ids) {
      const storage = new MemoryStorage();
      let confState: ConfState = { voters: [], learners: [] };
      if (bootstrap) {
        confState = { voters: ids, learners: [] };
        storage.applySnapshot({ metadata: { index: 1, term: 1, confState }, data: new Uint8Array(0) });
        storage.setHardState({ term: 1, vote: 0, commit: 1 });
      }
      const node: Node = { raw: this.#newRawNode(id, storage, options), storage, options, appliedData: [], confState };
      this.#nodes.set(id, node);
      this.#out.push(`${id}: ${node.raw.status().role} ${formatConfState(confState)}`);
    }
  }

  #newRawNode(id: NodeId, storage: MemoryStorage, options: NodeOptions, rejoining = false): RawNode {
    return new RawNode({
      id,
      storage,
      ...options,
      applied: storage.snapshot().metadata.index,
      random: new Random(id),
      rejoining,
    });
  }

  /** `restart 2`: a crash that keeps everything persisted; the state machine is rebuilt from the snapshot. */
  #restart(args: readonly string[]): void {
    const id = Number(args[0]);
    const node = this.#node(args[0]);
    // A driver keeps the rejoining mark durable until the core says it is over.
    node.raw = this.#newRawNode(id, node.storage, node.options, node.raw.status().rejoining);
    node.appliedData = decodeAppliedData(node.storage.snapshot().data);
    node.confState = node.storage.snapshot().metadata.confState;
    this.#inFlight = this.#inFlight.filter((message) => message.to !== id);
    this.#out.push(`${id}: restarted at term ${node.raw.status().term}`);
  }

  /**
   * `wipe 3`: node 3's data is deleted and it starts again empty, in no
   * configuration, under the same id. Messages already on their way to it
   * stay in flight: they reach the new, empty node.
   */
  #wipe(args: readonly string[]): void {
    const id = Number(args[0]);
    const node = this.#node(args[0]);
    node.storage = new MemoryStorage();
    node.raw = this.#newRawNode(id, node.storage, node.options);
    node.appliedData = [];
    node.confState = { voters: [], learners: [] };
    this.#out.push(`${id}: wiped, ${formatConfState(node.confState)}`);
  }

  /**
   * `rejoin 3`: node 3's storage is lost (damaged and moved aside) and it
   * starts again empty in the configuration it was in, as a controller does
   * from its configured voters, told that it is rejoining
   * (RaftConfig.rejoining). Messages already on their way still reach it.
   */
  #rejoin(args: readonly string[]): void {
    const id = Number(args[0]);
    const node = this.#node(args[0]);
    const confState = node.raw.status().confState;
    node.storage = new MemoryStorage(confState);
    node.raw = this.#newRawNode(id, node.storage, node.options, true);
    node.appliedData = [];
    node.confState = confState;
    this.#out.push(`${id}: rejoining empty, ${formatConfState(confState)}`);
  }

  /** `tick 2 x5`: five ticks of node 2. */
  #tick(args: readonly string[]): void {
    const times = Number((args[1] ?? 'x1').slice(1));
    const node = this.#node(args[0]);
    for (let i = 0; i < times; i++) node.raw.tick();
    this.#out.push('ok');
  }

  #confChange(args: readonly string[]): void {
    const type = args[1];
    assert(type === 'add-voter' || type === 'remove-voter' || type === 'add-learner', `bad change ${type}`);
    this.#result(this.#node(args[0]).raw.proposeConfChange({ type, nodeId: Number(args[2]) }));
  }

  /** `partition 1 / 2 3`: groups separated by '/'. */
  #partition(args: readonly string[]): void {
    const groups = new Map<NodeId, number>();
    let group = 0;
    for (const arg of args) {
      if (arg === '/') group++;
      else groups.set(Number(arg), group);
    }
    this.#groups = groups;
    this.#out.push('ok');
  }

  /** `compact 1`: snapshot node 1 at its applied index and drop the log up to it. */
  #compact(args: readonly string[]): void {
    const node = this.#node(args[0]);
    const applied = node.raw.status().applied;
    node.storage.createSnapshot(applied, node.confState, text.encode(node.appliedData.join(',')));
    node.storage.compact(applied);
    this.#out.push(`${args[0]}: snapshot at ${applied}, first index ${node.storage.firstIndex()}`);
  }

  #stabilize(ids: readonly NodeId[]): void {
    for (let round = 0; round < stabilizeRoundsMax; round++) {
      let busy = false;
      for (const id of ids) {
        const node = this.#node(String(id));
        if (!node.raw.hasReady()) continue;
        busy = true;
        this.#handleReady(id, node);
      }
      for (const id of ids) busy = this.#deliver(id) || busy;
      if (!busy) return;
    }
    throw new Error(`not stable after ${stabilizeRoundsMax} rounds`);
  }

  #handleReady(id: NodeId, node: Node): void {
    const ready = node.raw.ready();
    this.#out.push(`> ${id} handling Ready`, ...formatReady(ready).map((line) => `  ${line}`));
    this.#checkLeader(id, ready);
    if (ready.snapshot !== null) {
      node.storage.applySnapshot(ready.snapshot);
      node.appliedData = decodeAppliedData(ready.snapshot.data);
      node.confState = ready.snapshot.metadata.confState;
    }
    node.storage.append(ready.entries);
    if (ready.hardState !== null) node.storage.setHardState(ready.hardState);
    this.#inFlight.push(...ready.messages);
    for (const entry of ready.committedEntries) this.#apply(id, node, entry);
    node.raw.advance(ready);
  }

  #apply(id: NodeId, node: Node, entry: Entry): void {
    const seen = this.#appliedTerms.get(entry.index);
    assert(
      seen === undefined || seen === entry.term,
      `index ${entry.index} applied with terms ${seen} and ${entry.term}`,
    );
    this.#appliedTerms.set(entry.index, entry.term);
    if (entry.type === 'normal') {
      if (entry.data.byteLength > 0) node.appliedData.push(untext.decode(entry.data));
      return;
    }
    const change = decodeConfChange(entry.data);
    node.confState = node.raw.applyConfChange(change);
    this.#out.push(`  ${id} applied ${formatEntry(entry)} -> ${formatConfState(node.confState)}`);
  }

  #checkLeader(id: NodeId, ready: Ready): void {
    if (ready.softState?.role !== 'leader') return;
    const term = nodeTerm(this.#node(String(id)));
    const existing = this.#leaderOfTerm.get(term);
    assert(existing === undefined || existing === id, `two leaders in term ${term}: ${existing} and ${id}`);
    this.#leaderOfTerm.set(term, id);
  }

  /** Steps every in-flight message addressed to `id`; true if there were any. */
  #deliver(id: NodeId): boolean {
    const mine = this.#inFlight.filter((message) => message.to === id);
    if (mine.length === 0) return false;
    this.#inFlight = this.#inFlight.filter((message) => message.to !== id);
    this.#out.push(`> ${id} receiving messages`);
    const node = this.#node(String(id));
    for (const message of mine) {
      if (this.#groups !== null && this.#groups.get(message.from) !== this.#groups.get(message.to)) {
        this.#out.push(`  ${formatMessage(message)} DROPPED`);
        continue;
      }
      this.#out.push(`  ${formatMessage(message)}`);
      node.raw.step(message);
    }
    return true;
  }

  #status(): void {
    for (const [id, node] of [...this.#nodes].sort(([a], [b]) => a - b)) {
      const s = node.raw.status();
      this.#out.push(
        `${id}: ${s.role} term=${s.term} vote=${s.vote} leader=${s.leader} commit=${s.commit} applied=${s.applied} ` +
          `last=${s.lastIndex} ${formatConfState(s.confState)}${s.rejoining ? ' rejoining' : ''}`,
      );
      for (const [peer, p] of s.progress ?? []) {
        const learner = p.isLearner ? ' learner' : '';
        this.#out.push(`  ${peer}: ${p.state} match=${p.match} next=${p.next} inflight=${p.inflight}${learner}`);
      }
      if (s.leadTransferee !== undefined) this.#out.push(`  transferring to ${s.leadTransferee}`);
    }
  }

  #log(args: readonly string[]): void {
    const node = this.#node(args[0]);
    const { storage } = node;
    const snapshot = storage.snapshot().metadata;
    this.#out.push(`snapshot ${snapshot.term}/${snapshot.index} ${formatConfState(snapshot.confState)}`);
    if (storage.lastIndex() >= storage.firstIndex()) {
      for (const entry of storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER)) {
        this.#out.push(formatEntry(entry));
      }
    }
    this.#out.push(`applied data: [${node.appliedData.join(',')}]`);
  }
}

function nodeTerm(node: Node): number {
  return node.raw.status().term;
}

function decodeAppliedData(data: Uint8Array): string[] {
  const joined = untext.decode(data);
  return joined === '' ? [] : joined.split(',');
}
