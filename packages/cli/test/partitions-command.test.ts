import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatElection, formatReassignments } from '../src/commands/partitions.ts';
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

describe('runnel partitions', () => {
  it('--help names both subcommands and reassign --help names its options', async () => {
    const help = await runnel(['partitions', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/reassign/);
    expect(help.stdout).toMatch(/list-reassignments/);
    const reassignHelp = await runnel(['partitions', 'reassign', '--help']);
    for (const option of ['--topic', '--partition', '--replicas', '--cancel', '--bootstrap-server']) {
      expect(reassignHelp.stdout).toContain(option);
    }
  });

  it('list-reassignments on a quiet cluster says none are in progress', async () => {
    expect(await runnel(['partitions', 'list-reassignments'])).toMatchObject({
      code: 0,
      stdout: 'No partition reassignments in progress.\n',
    });
  });

  it('reassign to the replicas a partition already has succeeds and leaves nothing in progress', async () => {
    expect((await runnel(['topics', 'create', 'cli-moves', '--partitions', '1'])).code).toBe(0);
    const moved = await runnel([
      'partitions',
      'reassign',
      '--topic',
      'cli-moves',
      '--partition',
      '0',
      '--replicas',
      '1',
    ]);
    expect(moved).toMatchObject({ code: 0, stdout: 'Started reassigning cli-moves-0 to replicas 1.\n' });
    expect((await runnel(['partitions', 'list-reassignments'])).stdout).toBe(
      'No partition reassignments in progress.\n',
    );
  });

  it('refusals exit 1 with the Kafka error name: unknown topic, unknown broker, nothing to cancel', async () => {
    const unknown = await runnel(['partitions', 'reassign', '--topic', 'nope', '--partition', '0', '--replicas', '1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^runnel: UNKNOWN_TOPIC_OR_PARTITION/);
    await runnel(['topics', 'create', 'cli-refused', '--partitions', '1']);
    const stranger = await runnel([
      'partitions',
      'reassign',
      '--topic',
      'cli-refused',
      '--partition',
      '0',
      '--replicas',
      '1,7',
    ]);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/^runnel: INVALID_REPLICA_ASSIGNMENT/);
    const cancel = await runnel(['partitions', 'reassign', '--topic', 'cli-refused', '--partition', '0', '--cancel']);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/^runnel: NO_REASSIGNMENT_IN_PROGRESS/);
  });

  it('reassign without --replicas or --cancel, or with a bad broker list, exits 1 before sending anything', async () => {
    const neither = await runnel(['partitions', 'reassign', '--topic', 't', '--partition', '0']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('either --replicas <ids> or --cancel');
    const bad = await runnel(['partitions', 'reassign', '--topic', 't', '--partition', '0', '--replicas', '1,x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('not a list of broker ids');
  });
});

describe('runnel partitions elect-leaders', () => {
  it('--help names its options and the outcomes it prints', async () => {
    const help = await runnel(['partitions', 'elect-leaders', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--topic', '--partition', '--election-type', '--bootstrap-server', 'ELECTION_NOT_NEEDED']) {
      expect(help.stdout).toContain(text);
    }
    expect((await runnel(['partitions', '--help'])).stdout).toMatch(/elect-leaders/);
  });

  it('on one broker every partition of a topic is already led by its preferred replica: ELECTION_NOT_NEEDED, exit 0', async () => {
    expect((await runnel(['topics', 'create', 'cli-elect', '--partitions', '2'])).code).toBe(0);
    const result = await runnel(['partitions', 'elect-leaders', '--topic', 'cli-elect']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Topic: cli-elect\tPartition: 0\tELECTION_NOT_NEEDED: /);
    expect(lines[1]).toMatch(/^Topic: cli-elect\tPartition: 1\tELECTION_NOT_NEEDED: /);
    const one = await runnel(['partitions', 'elect-leaders', '--topic', 'cli-elect', '--partition', '1']);
    expect(one.stdout).toMatch(/^Topic: cli-elect\tPartition: 1\tELECTION_NOT_NEEDED: [^\n]*\n$/);
  });

  it('without --topic nothing needs moving on one broker, and it says so', async () => {
    expect(await runnel(['partitions', 'elect-leaders'])).toMatchObject({
      code: 0,
      stdout: 'No partition needed a leader election.\n',
    });
  });

  it('an unknown topic or partition exits 1 with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const topic = await runnel(['partitions', 'elect-leaders', '--topic', 'nope']);
    expect(topic.code).toBe(1);
    expect(topic.stderr).toMatch(/^runnel: UNKNOWN_TOPIC_OR_PARTITION/);
    await runnel(['topics', 'create', 'cli-elect-one', '--partitions', '1']);
    const partition = await runnel(['partitions', 'elect-leaders', '--topic', 'cli-elect-one', '--partition', '4']);
    expect(partition.code).toBe(1);
    expect(partition.stdout).toMatch(/^Topic: cli-elect-one\tPartition: 4\tUNKNOWN_TOPIC_OR_PARTITION: /);
  });

  it('--partition without --topic exits 1 before sending anything', async () => {
    const result = await runnel(['partitions', 'elect-leaders', '--partition', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--partition needs --topic');
  });
});

describe('formatElection', () => {
  const results = [
    {
      topic: 'orders',
      partitionResult: [
        { partitionId: 0, errorCode: 0, errorMessage: null },
        { partitionId: 1, errorCode: 84, errorMessage: 'Broker 1 already leads partition 1.' },
      ],
    },
  ];

  it('prints one line per partition; ELECTION_NOT_NEEDED is not a failure', () => {
    expect(formatElection(results, false)).toEqual({
      text:
        'Topic: orders\tPartition: 0\tElected the preferred leader.\n' +
        'Topic: orders\tPartition: 1\tELECTION_NOT_NEEDED: Broker 1 already leads partition 1.\n',
      failed: false,
    });
  });

  it('PREFERRED_LEADER_NOT_AVAILABLE is a failure, described by the error table when the broker sent no message', () => {
    const down = [{ topic: 'orders', partitionResult: [{ partitionId: 3, errorCode: 80, errorMessage: null }] }];
    expect(formatElection(down, false)).toEqual({
      text: 'Topic: orders\tPartition: 3\tPREFERRED_LEADER_NOT_AVAILABLE: The preferred leader is not available.\n',
      failed: true,
    });
  });

  it('no results reads differently for "every partition" and for named ones', () => {
    expect(formatElection([], true).text).toBe('No partition needed a leader election.\n');
    expect(formatElection([], false).text).toBe('No partitions.\n');
  });
});

describe('formatReassignments', () => {
  it('prints one line per partition with replicas, adding and removing', () => {
    const text = formatReassignments([
      {
        name: 'orders',
        partitions: [{ partitionIndex: 2, replicas: [3, 4, 1], addingReplicas: [3, 4], removingReplicas: [1] }],
      },
    ]);
    expect(text).toBe('Topic: orders\tPartition: 2\tReplicas: 3,4,1\tAdding: 3,4\tRemoving: 1\n');
  });
});
