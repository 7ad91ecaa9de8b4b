import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './dev-cluster.ts';
import { type RunResult, runRunnel } from './run-runnel.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

function runnel(args: readonly string[], stdin = ''): Promise<RunResult> {
  return runRunnel(args, { bootstrap: cluster.bootstrap, stdin });
}

describe('runnel topics', () => {
  it('create, list, describe and delete a topic, with config overrides shown by describe', async () => {
    const created = await runnel([
      'topics',
      'create',
      'cli-topic',
      '--partitions',
      '3',
      '--config',
      'retention.ms=5000',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'Created topic cli-topic.\n' });
    const listed = await runnel(['topics', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toContain('cli-topic');
    const described = await runnel(['topics', 'describe', 'cli-topic']);
    expect(described.code).toBe(0);
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Topic: cli-topic\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=5000');
    expect(lines.slice(1)).toEqual(
      [0, 1, 2].map((p) => `\tTopic: cli-topic\tPartition: ${p}\tLeader: 1\tReplicas: 1\tIsr: 1`),
    );
    const deleted = await runnel(['topics', 'delete', 'cli-topic']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted topic cli-topic.\n' });
    expect((await runnel(['topics', 'list'])).stdout.split('\n')).not.toContain('cli-topic');
  });

  it('prints the Kafka error name and exits 1 for an existing, an invalid or an unknown topic', async () => {
    expect((await runnel(['topics', 'create', 'twice'])).code).toBe(0);
    const again = await runnel(['topics', 'create', 'twice']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^runnel: TOPIC_ALREADY_EXISTS: /);
    const invalid = await runnel(['topics', 'create', 'no/slashes']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^runnel: INVALID_TOPIC_EXCEPTION: /);
    const unknown = await runnel(['topics', 'describe', 'not-there']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^runnel: UNKNOWN_TOPIC_OR_PARTITION: /);
  });

  it('exits 1 with a connection error when no broker listens at --bootstrap-server', async () => {
    const result = await runnel(['topics', 'list', '--bootstrap-server', '127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^runnel: cannot connect to 127\.0\.0\.1:1/);
  });
});

describe('runnel produce and consume', () => {
  it('1000 lines produced in batches come back exactly, in order, with --from-beginning --exit-at-end', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
    const produced = await runnel(
      ['produce', 'cli-lines', '--batch-size', '128', '--compression', 'lz4'],
      `${lines.join('\n')}\n`,
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).toBe('Produced 1000 records in 8 batches to cli-lines[0], offsets 0..999\n');
    const consumed = await runnel(['consume', 'cli-lines', '--from-beginning', '--exit-at-end']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toBe(`${lines.join('\n')}\n`);
  });

  it('keys, headers and offsets round-trip through --key-separator and the print options', async () => {
    const produced = await runnel(
      ['produce', 'cli-keys', '--key-separator', '|', '--header', 'app=test', '--header', 'n=1', '--acks', '1'],
      'k1|v1\nno key here\nk3|v|3\n',
    );
    expect(produced.code).toBe(0);
    const consumed = await runnel([
      'consume',
      'cli-keys',
      '--from-beginning',
      '--exit-at-end',
      '--print-offset',
      '--print-headers',
      '--print-key',
      '--key-separator',
      ' ',
    ]);
    expect(consumed.stdout).toBe('0 app=test,n=1 k1 v1\n1 app=test,n=1  no key here\n2 app=test,n=1 k3 v|3\n');
  });

  it('--offset and --max-messages select a window of records', async () => {
    await runnel(['produce', 'cli-window', '--acks', '0'], 'a\nb\nc\nd\ne\n');
    await runnel(['consume', 'cli-window', '--from-beginning', '--max-messages', '5']);
    const window = await runnel(['consume', 'cli-window', '--offset', '1', '--max-messages', '2']);
    expect(window).toMatchObject({ code: 0, stdout: 'b\nc\n' });
  });

  it('rejects an invalid --acks value with exit code 1 before connecting', async () => {
    const result = await runnel(['produce', 'cli-window', '--acks', '2'], 'x\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('acks must be -1 (or all), 0 or 1');
  });
});

describe('--help', () => {
  const expected: Record<string, readonly string[]> = {
    'topics create': ['--partitions', '--replication-factor', '--config', '--bootstrap-server'],
    'topics list': ['--bootstrap-server'],
    'topics describe': ['--bootstrap-server'],
    'topics delete': ['--bootstrap-server'],
    produce: [
      '--partition',
      '--key-separator',
      '--header',
      '--compression',
      '--acks',
      '--batch-size',
      '--bootstrap-server',
    ],
    consume: [
      '--partition',
      '--from-beginning',
      '--offset',
      '--max-messages',
      '--exit-at-end',
      '--print-key',
      '--print-offset',
      '--print-headers',
      '--key-separator',
      '--bootstrap-server',
    ],
  };
  for (const [command, options] of Object.entries(expected)) {
    it(`runnel ${command} --help lists ${options.join(' ')}`, async () => {
      const result = await runnel([...command.split(' '), '--help']);
      expect(result.code).toBe(0);
      for (const option of options) expect(result.stdout).toContain(option);
      expect(result.stdout).toContain('RUNNEL_BOOTSTRAP_SERVER');
    });
  }

  it('runnel --help lists topics, produce and consume', async () => {
    const result = await runnel(['--help']);
    for (const command of ['topics', 'produce', 'consume']) expect(result.stdout).toContain(command);
  });
});
