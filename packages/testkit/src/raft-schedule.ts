import type { NodeId } from '@runnel/raft';
import type { Violation } from './invariant-checker.ts';
import { changeMembership } from './membership-moves.ts';
import { RaftCluster } from './raft-cluster.ts';
import { rawNodeImplementation } from './raft-implementation.ts';
import type { RaftImplementation } from './raft-seam.ts';
import type { NetworkFaults } from './sim-network.ts';
import { calmNetworkFaults } from './sim-network.ts';
import type { SimNode, SimRaftSettings } from './sim-node.ts';
import { readyCrashPoints } from './sim-node.ts';

export interface ScheduleOptions {
  /** Node ids 1..nodeCount. */
  readonly nodeCount: number;
  /** Ids 1..initialVoterCount found the cluster; the others are spares for membership changes. */
  readonly initialVoterCount: number;
  /** Whether the schedule proposes membership changes (add learner, promote, remove, re-add). */
  readonly membershipChanges: boolean;
  /** Steps of random work with faults on. */
  readonly faultSteps: number;
  /** After the faults stop, steps allowed for the cluster to elect a leader and converge. */
  readonly settleStepsMax: number;
  readonly settings: SimRaftSettings;
  readonly implementation: RaftImplementation;
  /** Faults on or off: off runs the same moves on a calm network, with no crashes or partitions. */
  readonly faults: boolean;
  readonly traceLinesMax: number;
  /** Whether a down voter may lose its store and restart rejoining (RaftConfig.rejoining), one at a time. */
  readonly storeLosses?: boolean;
}

export interface ScheduleStats {
  steps: number;
  committed: number;
  proposals: number;
  /** Membership changes raft accepted. */
  confChanges: number;
  /** Removed nodes wiped and re-added empty. */
  wipes: number;
  /** Voters that lost their store and restarted rejoining. */
  storeLosses: number;
  crashes: number;
  leaderTerms: number;
  snapshotsSent: number;
  messagesSent: number;
  messagesDropped: number;
}

export interface ScheduleResult {
  readonly seed: number;
  readonly violation: Violation | null;
  readonly traceTail: readonly string[];
  readonly stats: ScheduleStats;
}

export const defaultRaftSettings: SimRaftSettings = {
  electionTicks: 10,
  heartbeatTicks: 2,
  preVote: true,
  checkQuorum: true,
  inflightMessagesMax: 8,
  messageBytesMax: 256,
};

/** How much the network misbehaves in one schedule; drawn once per seed so schedules differ in kind. */
function drawNetworkFaults(cluster: RaftCluster): NetworkFaults {
  const random = cluster.scheduler.random;
  return {
    dropProbability: random.pick([0, 0.02, 0.1, 0.3]),
    duplicateProbability: random.pick([0, 0.02, 0.1]),
    delayStepsMin: 0,
    delayStepsMax: random.pick([1, 4, 12, 40]),
  };
}

/** How often nodes crash in one schedule; drawn once per seed, like the network's weather. */
interface CrashRates {
  /** Weight of the "crash a node now" move. */
  readonly crashWeight: number;
  /** Chance that handling a Ready is cut short by a crash. */
  readonly readyCrashProbability: number;
}

function drawCrashRates(cluster: RaftCluster, faults: boolean): CrashRates {
  if (!faults) return { crashWeight: 0, readyCrashProbability: 0 };
  const random = cluster.scheduler.random;
  return { crashWeight: random.pick([0, 0.3, 2]), readyCrashProbability: random.pick([0, 0.01, 0.05]) };
}

interface Run {
  readonly cluster: RaftCluster;
  readonly options: ScheduleOptions;
  readonly stats: ScheduleStats;
  readonly crashRates: CrashRates;
}

type Move = readonly [weight: number, run: () => void];

/** Picks one move by weight; moves with weight 0 are not possible right now. */
function pickMove(run: Run, moves: readonly Move[]): void {
  const total = moves.reduce((sum, [weight]) => sum + weight, 0);
  let point = run.cluster.scheduler.random.next() * total;
  for (const [weight, move] of moves) {
    point -= weight;
    if (point < 0 && weight > 0) {
      move();
      return;
    }
  }
}

function processSomeReady(run: Run, crashProbability: number): void {
  const { cluster } = run;
  const random = cluster.scheduler.random;
  const node = random.pick(cluster.readyNodes());
  const crashAllowed = crashProbability > 0 && crashBudgetLeft(cluster);
  const crash = crashAllowed && random.bool(crashProbability) ? random.pick(readyCrashPoints) : null;
  if (crash !== null) run.stats.crashes += 1;
  cluster.processReady(node, crash);
}

const minorityOf = (nodeCount: number): number => Math.floor((nodeCount - 1) / 2);

/**
 * Crashes keep a majority of the configuration in force up, so the fault
 * phase still makes progress; nodes outside it do not count.
 */
function crashBudgetLeft(cluster: RaftCluster): boolean {
  const voters = cluster.committedConf().voters;
  const downVoters = cluster.downNodes().filter((node) => voters.includes(node.id)).length;
  return downVoters < minorityOf(voters.length);
}

function propose(run: Run): void {
  const { cluster } = run;
  const random = cluster.scheduler.random;
  const leaders = cluster.leaders();
  const up = cluster.upNodes();
  const target = leaders.length > 0 && random.bool(0.8) ? leaders[0] : up.length > 0 ? random.pick(up) : undefined;
  if (target === undefined) return;
  run.stats.proposals += 1;
  cluster.propose(target, `v${run.stats.proposals}`);
}

function partition(run: Run): void {
  const { cluster } = run;
  const random = cluster.scheduler.random;
  const ids = cluster.nodes.map((node) => node.id);
  if (random.bool(0.5)) {
    const isolated = random.pick(ids);
    cluster.partition([[isolated], ids.filter((id) => id !== isolated)]);
    return;
  }
  const side = ids.filter(() => random.bool(0.5));
  cluster.partition([side, ids.filter((id) => !side.includes(id))]);
}

function transfer(run: Run): void {
  const { cluster } = run;
  const leader = cluster.leaders()[0];
  if (leader === undefined) return;
  const others: NodeId[] = cluster.nodes.map((node) => node.id).filter((id) => id !== leader.id);
  if (others.length > 0) cluster.transferLeadership(leader, cluster.scheduler.random.pick(others));
}

function faultStep(run: Run): void {
  const { cluster, options } = run;
  const random = cluster.scheduler.random;
  const faults = options.faults ? 1 : 0;
  const down = cluster.downNodes();
  const up = cluster.upNodes();
  const canCrash = crashBudgetLeft(cluster) ? run.crashRates.crashWeight : 0;
  const membership = options.membershipChanges ? 0.6 : 0;
  pickMove(run, [
    [cluster.network.hasDue() ? 30 : 0, () => cluster.deliverDue()],
    [cluster.readyNodes().length > 0 ? 30 : 0, () => processSomeReady(run, run.crashRates.readyCrashProbability)],
    [12, () => cluster.tickAll()],
    [4, () => propose(run)],
    [1, () => up.length > 0 && cluster.takeSnapshot(random.pick(up))],
    [canCrash, () => crashOne(run)],
    [down.length > 0 ? 3 : 0, () => cluster.restart(random.pick(down))],
    [cluster.network.partitioned ? 0 : 0.3 * faults, () => partition(run)],
    [cluster.network.partitioned ? 2 : 0, () => cluster.heal()],
    [0.3, () => transfer(run)],
    [membership, () => changeMembership(cluster) && run.stats.confChanges++],
    [storeLossWeight(run, down), () => loseStore(run, down)],
  ]);
}

/**
 * A down voter may lose its store while no other node is rejoining: the
 * rule keeps a rejoining node out of elections, so with a majority intact
 * the cluster must stay safe and live.
 */
function storeLossWeight(run: Run, down: readonly SimNode[]): number {
  if (run.options.storeLosses !== true || run.cluster.nodes.some((node) => node.rejoining)) return 0;
  return down.some((node) => run.cluster.committedConf().voters.includes(node.id)) ? 2 : 0;
}

function loseStore(run: Run, down: readonly SimNode[]): void {
  const voters = run.cluster.committedConf().voters;
  run.cluster.loseStore(run.cluster.scheduler.random.pick(down.filter((node) => voters.includes(node.id))));
}

function crashOne(run: Run): void {
  const { cluster } = run;
  run.stats.crashes += 1;
  cluster.crash(cluster.scheduler.random.pick(cluster.upNodes()));
}

/** The nodes the liveness goal covers: every voter and learner of the newest committed configuration. */
function members(cluster: RaftCluster): SimNode[] {
  const conf = cluster.committedConf();
  return cluster.nodes.filter((node) => conf.voters.includes(node.id) || conf.learners.includes(node.id));
}

/** The liveness goal: every member up, holding the marker, at the same applied index with the same state. */
function converged(cluster: RaftCluster, marker: string): boolean {
  const nodes = members(cluster);
  const first = nodes[0]?.state;
  if (first == null || !first.values.includes(marker)) return false;
  return nodes.every(
    (node) =>
      node.state !== null && node.state.appliedIndex === first.appliedIndex && node.state.digest === first.digest,
  );
}

/** The leader's view of its followers, when the node exposes one: what a stuck follower needs explaining. */
function progressOf(node: SimNode): string {
  const status: unknown = node.raw?.status();
  if (typeof status !== 'object' || status === null || !('progress' in status)) return '';
  if (!(status.progress instanceof Map)) return '';
  const parts: string[] = [];
  for (const [id, progress] of status.progress) parts.push(`${id}:${JSON.stringify(progress)}`);
  return ` progress ${parts.join(' ')}`;
}

/**
 * Liveness: with the network healed, every node restarted (removed ones
 * too, stale as they are) and faults off, the voters of the final
 * configuration must elect a leader, commit a fresh proposal and bring
 * every voter and learner to the same applied state within settleStepsMax
 * steps. Nodes outside the configuration are not waited for.
 */
function settle(run: Run): void {
  const { cluster, options } = run;
  cluster.heal();
  cluster.network.setFaults(calmNetworkFaults);
  for (const node of cluster.downNodes()) cluster.restart(node);
  const marker = 'settled';
  for (let step = 0; step < options.settleStepsMax; step++) {
    if (cluster.checker.violation !== null) return;
    if (converged(cluster, marker)) return;
    const leader = cluster.leaders()[0];
    const proposeNow = leader !== undefined && step % 50 === 0 && !(leader.state?.values.includes(marker) ?? false);
    pickMove(run, [
      [cluster.network.hasDue() ? 40 : 0, () => cluster.deliverDue()],
      [cluster.readyNodes().length > 0 ? 40 : 0, () => processSomeReady(run, 0)],
      [10, () => cluster.tickAll()],
      [proposeNow ? 1000 : 0, () => leader && cluster.propose(leader, marker)],
    ]);
    cluster.endStep();
  }
  if (cluster.checker.violation === null && !converged(cluster, marker)) {
    const applied = cluster.nodes.map((node) => `${node.id}@${node.state?.appliedIndex ?? 'down'}`).join(' ');
    const conf = cluster.committedConf();
    const leaders = cluster.leaders().map((node) => `${node.id}(term ${node.raw?.status().term}${progressOf(node)})`);
    cluster.checker.fail(
      'liveness',
      `no convergence ${options.settleStepsMax} steps after healing: applied ${applied}; voters ${conf.voters.join(',')} learners ${conf.learners.join(',') || 'none'}; leaders ${leaders.join(',') || 'none'}`,
    );
  }
}

/**
 * Runs one seeded schedule: faultSteps of random moves under faults, with the
 * invariants checked after every step, then a liveness phase. The same seed
 * and options always produce the same run; the result carries the first
 * violation (or null) and the tail of the trace.
 */
export function runSchedule(seed: number, options: ScheduleOptions): ScheduleResult {
  const cluster = new RaftCluster({
    seed,
    nodeCount: options.nodeCount,
    initialVoterCount: options.initialVoterCount,
    settings: options.settings,
    networkFaults: calmNetworkFaults,
    implementation: options.implementation,
    traceLinesMax: options.traceLinesMax,
  });
  const stats: ScheduleStats = {
    steps: 0,
    committed: 0,
    proposals: 0,
    confChanges: 0,
    wipes: 0,
    storeLosses: 0,
    crashes: 0,
    leaderTerms: 0,
    snapshotsSent: 0,
    messagesSent: 0,
    messagesDropped: 0,
  };
  if (options.faults) cluster.network.setFaults(drawNetworkFaults(cluster));
  const run: Run = { cluster, options, stats, crashRates: drawCrashRates(cluster, options.faults) };
  try {
    for (let step = 0; step < options.faultSteps && cluster.checker.violation === null; step++) {
      faultStep(run);
      cluster.endStep();
    }
    if (cluster.checker.violation === null) settle(run);
  } catch (error: unknown) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    cluster.checker.fail('raft-crashed', detail);
  }
  stats.steps = cluster.scheduler.step;
  stats.wipes = cluster.wipeCount;
  stats.storeLosses = cluster.storeLossCount;
  stats.committed = cluster.checker.committedCount;
  stats.leaderTerms = cluster.checker.leaderTermCount;
  stats.snapshotsSent = cluster.network.stats.snapshots;
  stats.messagesSent = cluster.network.stats.sent;
  stats.messagesDropped = cluster.network.stats.dropped;
  return { seed, violation: cluster.checker.violation, traceTail: cluster.scheduler.traceTail(), stats };
}

/** One line a developer pastes to replay a failing seed. */
export function replayCommand(seed: number, testFile: string): string {
  return `RAFT_SEED=${seed} npx vitest run ${testFile}`;
}

/** A multi-line report of a failed schedule: seed, violation, replay command and trace tail. */
export function describeFailure(result: ScheduleResult, testFile: string): string {
  const violation = result.violation;
  const headline = violation === null ? 'no violation' : `${violation.invariant}: ${violation.detail}`;
  return [
    `seed ${result.seed}: ${headline}`,
    `replay: ${replayCommand(result.seed, testFile)}`,
    'trace tail:',
    ...result.traceTail.map((line) => `  ${line}`),
  ].join('\n');
}

/**
 * The options the standard suite runs for a seed, faults always on: a third
 * of the seeds (multiples of 3) start 3 voters with 1 or 2 spare ids and
 * change membership; of the rest, odd seeds run 3 voters and even seeds 5.
 * A function of the seed alone, so a seed is all a replay needs.
 */
export function standardScheduleOptions(seed: number): ScheduleOptions {
  const membershipChanges = seed % 3 === 0;
  const nodeCount = membershipChanges ? (seed % 2 === 0 ? 5 : 4) : seed % 2 === 0 ? 5 : 3;
  return {
    nodeCount,
    initialVoterCount: membershipChanges ? 3 : nodeCount,
    membershipChanges,
    faultSteps: 1000,
    settleStepsMax: 4000,
    settings: defaultRaftSettings,
    implementation: rawNodeImplementation,
    faults: true,
    traceLinesMax: 40,
  };
}
