/**
 * `runnel metadata-quorum status|replication`: Kafka's
 * kafka-metadata-quorum.sh describe --status / --replication, through
 * DescribeQuorum on any broker (which asks the active controller). Offsets
 * are metadata offsets; lag is how far a replica's log end is behind the
 * high watermark; times are the active controller's wall clock.
 */
import type { Connection, KafkaClient } from '@runnel/client';
import { ApiKeys, type DescribeQuorumResponse, ErrorCode, errorName } from '@runnel/protocol';
import { Command } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { type OutputOptions, outputOption, toJsonLine } from '../output-format.ts';

type QuorumPartition = DescribeQuorumResponse['topics'][number]['partitions'][number];
type ReplicaState = QuorumPartition['currentVoters'][number];

export interface QuorumReplicaRow {
  nodeId: number;
  logEndOffset: bigint;
  /** High watermark minus log end offset; -1 when the log end is unknown. */
  lag: bigint;
  lastFetchTimestamp: bigint;
  lastCaughtUpTimestamp: bigint;
  status: 'Leader' | 'Follower' | 'Observer';
}

export interface QuorumStatus {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  /** The largest lag of a voter other than the leader. */
  maxFollowerLag: bigint;
  /** How long ago (ms) the furthest-behind voter was last caught up; 0 with no followers. */
  maxFollowerLagTimeMs: bigint;
  voters: { id: number; endpoints: string[] }[];
  observers: number[];
}

function row(r: ReplicaState, hw: bigint, status: QuorumReplicaRow['status']): QuorumReplicaRow {
  return {
    nodeId: r.replicaId,
    logEndOffset: r.logEndOffset,
    lag: r.logEndOffset < 0n ? -1n : hw - r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp ?? -1n,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp ?? -1n,
    status,
  };
}

export function replicationRows(p: QuorumPartition): QuorumReplicaRow[] {
  return [
    ...p.currentVoters.map((v) => row(v, p.highWatermark, v.replicaId === p.leaderId ? 'Leader' : 'Follower')),
    ...p.observers.map((o) => row(o, p.highWatermark, 'Observer')),
  ];
}

export function quorumStatus(response: DescribeQuorumResponse, p: QuorumPartition, nowMs: bigint): QuorumStatus {
  const followers = replicationRows(p).filter((r) => r.status === 'Follower');
  let maxLag = 0n;
  for (const r of followers) if (r.lag > maxLag) maxLag = r.lag;
  const oldestCatchUp = followers.reduce(
    (min, r) => (r.lastCaughtUpTimestamp >= 0n && r.lastCaughtUpTimestamp < min ? r.lastCaughtUpTimestamp : min),
    nowMs,
  );
  const endpoints = new Map(
    (response.nodes ?? []).map((n) => [n.nodeId, n.listeners.map((l) => `${l.name}://${l.host}:${l.port}`)]),
  );
  return {
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: p.highWatermark,
    maxFollowerLag: maxLag,
    maxFollowerLagTimeMs: nowMs - oldestCatchUp,
    voters: p.currentVoters.map((v) => ({ id: v.replicaId, endpoints: endpoints.get(v.replicaId) ?? [] })),
    observers: p.observers.map((o) => o.replicaId),
  };
}

export function formatStatus(s: QuorumStatus): string {
  const voters = s.voters.map((v) => (v.endpoints.length === 0 ? `${v.id}` : `${v.id}@${v.endpoints.join('|')}`));
  return [
    `LeaderId:              ${s.leaderId}`,
    `LeaderEpoch:           ${s.leaderEpoch}`,
    `HighWatermark:         ${s.highWatermark}`,
    `MaxFollowerLag:        ${s.maxFollowerLag}`,
    `MaxFollowerLagTimeMs:  ${s.maxFollowerLagTimeMs}`,
    `CurrentVoters:         [${voters.join(', ')}]`,
    `CurrentObservers:      [${s.observers.join(', ')}]`,
  ]
    .map((l) => `${l}\n`)
    .join('');
}

export function formatReplication(rows: readonly QuorumReplicaRow[]): string {
  const header = ['NodeId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'];
  const cells = rows.map((r) => [
    String(r.nodeId),
    String(r.logEndOffset),
    String(r.lag),
    String(r.lastFetchTimestamp),
    String(r.lastCaughtUpTimestamp),
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  return [header, ...cells]
    .map(
      (line) =>
        `${line
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

export function metadataQuorumCommand(): Command {
  const quorum = new Command('metadata-quorum').description("Describe the controllers' metadata quorum");
  quorum
    .command('status')
    .description('Leader, term, high watermark, follower lag, voters and observers')
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .action((options: BootstrapOptions & OutputOptions) =>
      withQuorum(options, (response, p) => {
        const status = quorumStatus(response, p, BigInt(Date.now()));
        process.stdout.write(options.output === 'json' ? toJsonLine(status) : formatStatus(status));
      }),
    );
  quorum
    .command('replication')
    .description("Each voter's and observer's log end offset, lag, last fetch and last caught-up time")
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Voters are the controllers (the leader is the active one); observers are the
brokers, which follow the committed metadata without voting. Lag is in
metadata offsets; -1 means unknown (a voter further behind than the leader
remembers, a broker not heard from yet).`,
    )
    .action((options: BootstrapOptions & OutputOptions) =>
      withQuorum(options, (_response, p) => {
        const rows = replicationRows(p);
        process.stdout.write(options.output === 'json' ? toJsonLine(rows) : formatReplication(rows));
      }),
    );
  return quorum;
}

async function withQuorum(
  options: BootstrapOptions,
  body: (response: DescribeQuorumResponse, p: QuorumPartition) => void,
): Promise<void> {
  await withClient(options, async (client: KafkaClient) => {
    const connection: Connection = await client.anyConnection();
    const response = await connection.request(ApiKeys.DescribeQuorum, {
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
    });
    const p = response.topics[0]?.partitions[0];
    const code =
      response.errorCode !== ErrorCode.NONE ? response.errorCode : (p?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
    if (p === undefined || code !== ErrorCode.NONE) {
      fail(`${errorName(code)}: ${p?.errorMessage ?? response.errorMessage ?? 'the quorum could not be described'}`);
      return;
    }
    body(response, p);
  });
}
