/**
 * `runnel metadata-quorum status|replication` and `runnel features
 * describe|upgrade|downgrade` against a real dev cluster (one controller,
 * one broker), text and --output json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFeature } from '../src/commands/features.ts';
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

describe('runnel features', () => {
  it('describe lists each supported range and the finalized level with its epoch', async () => {
    const text = await runnel(['features', 'describe']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^Feature: metadata.version\tSupportedMinVersion: 25\tSupportedMaxVersion: 25\tFinalizedVersionLevel: 25\tEpoch: \d+\n/,
    );
    expect(text.stdout).toMatch(
      /\nFeature: transaction.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 2\tFinalizedVersionLevel: 2\tEpoch: \d+\n$/,
    );
  });

  it('downgrade --dry-run changes nothing; downgrade and upgrade move transaction.version; a refusal exits 1', async () => {
    const level = async () =>
      (
        JSON.parse((await runnel(['features', 'describe', '--output', 'json'])).stdout) as {
          feature: string;
          finalized: number;
        }[]
      ).find((f) => f.feature === 'transaction.version')?.finalized;
    const dry = await runnel(['features', 'downgrade', '--feature', 'transaction.version=1', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stdout: 'Could downgrade transaction.version to 1.\n' });
    expect(await level()).toBe(2);
    expect(await runnel(['features', 'downgrade', '--feature', 'transaction.version=1'])).toMatchObject({
      code: 0,
      stdout: 'Downgraded transaction.version to 1.\n',
    });
    expect(await level()).toBe(1);
    expect((await runnel(['features', 'upgrade', '--feature', 'transaction.version=2'])).code).toBe(0);
    expect(await level()).toBe(2);
    const refused = await runnel(['features', 'upgrade', '--feature', 'transaction.version=1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^runnel: INVALID_UPDATE_VERSION: /);
  });

  it('--feature takes name=level', () => {
    expect(collectFeature('transaction.version=2')).toEqual([['transaction.version', 2]]);
    expect(() => collectFeature('transaction.version')).toThrow(/name=level/);
  });
});
