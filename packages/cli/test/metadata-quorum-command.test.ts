/**
 * `runnel metadata-quorum status|replication` against a real dev cluster
 * (one controller, one broker), text and --output json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReplication } from '../src/commands/metadata-quorum.ts';
import { startTestCluster, type TestCluster } from './dev-cluster.ts';
import { type RunResult, runRunnel } from './run-runnel.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

function runnel(args: readonly string[]): Promise<RunResult> {
  return runRunnel(args, { bootstrap: cluster.bootstrap });
}

describe('runnel metadata-quorum', () => {
  it('status names the leader, its term and high watermark, the voter with its endpoint, the broker as observer', async () => {
    const text = await runnel(['metadata-quorum', 'status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^LeaderId: +1\nLeaderEpoch: +[1-9]\d*\nHighWatermark: +[1-9]\d*\n/);
    expect(text.stdout).toMatch(/\nMaxFollowerLag: +0\n/);
    expect(text.stdout).toMatch(/\nCurrentVoters: +\[1@CONTROLLER:\/\/[^:]+:\d+\]\n/);
    expect(text.stdout).toMatch(/\nCurrentObservers: +\[1\]\n$/);
    const json = JSON.parse((await runnel(['metadata-quorum', 'status', '--output', 'json'])).stdout) as {
      leaderId: number;
      highWatermark: number;
      observers: number[];
    };
    expect(json).toMatchObject({ leaderId: 1, observers: [1] });
    expect(json.highWatermark).toBeGreaterThan(0);
  });

  it('replication lists the leader and the broker with their log end offsets', async () => {
    const json = JSON.parse((await runnel(['metadata-quorum', 'replication', '--output', 'json'])).stdout) as {
      nodeId: number;
      status: string;
      logEndOffset: number;
    }[];
    expect(json.map((r) => [r.nodeId, r.status])).toEqual([
      [1, 'Leader'],
      [1, 'Observer'],
    ]);
    expect(json[0]?.logEndOffset).toBeGreaterThan(0);
    const text = await runnel(['metadata-quorum', 'replication']);
    expect(text.stdout.split('\n')[0]).toMatch(
      /^NodeId +LogEndOffset +Lag +LastFetchTimestamp +LastCaughtUpTimestamp +Status$/,
    );
    expect((await runnel(['metadata-quorum', '--help'])).stdout).toMatch(/status[\s\S]*replication/);
  });

  it('formats rows in aligned columns', () => {
    expect(
      formatReplication([
        { nodeId: 1, logEndOffset: 12n, lag: 0n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: 5n, status: 'Leader' },
      ]),
    ).toBe(
      'NodeId  LogEndOffset  Lag  LastFetchTimestamp  LastCaughtUpTimestamp  Status\n' +
        '1       12            0    -1                  5                      Leader\n',
    );
  });
});
