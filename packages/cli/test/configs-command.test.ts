import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configsTable } from '../src/config-output.ts';
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

interface JsonConfigs {
  resource: { kind: string; name: string };
  configs: { name: string; value: string | null; source: string; isDefault: boolean; type: string }[];
}

describe('runnel configs', () => {
  it('--help of describe and alter names the resources and the output option', async () => {
    for (const sub of ['describe', 'alter']) {
      const help = await runnel(['configs', sub, '--help']);
      expect(help.code).toBe(0);
      for (const option of ['--topic', '--broker', '--broker-defaults', '--broker-logger', '--output']) {
        expect(help.stdout).toContain(option);
      }
    }
  });

  it('a topic override shows as DYNAMIC_TOPIC_CONFIG; --all adds the defaults; json is parseable', async () => {
    expect((await runnel(['topics', 'create', 'cli-configs', '--partitions', '1'])).code).toBe(0);
    const set = await runnel(['configs', 'alter', '--topic', 'cli-configs', '--set', 'retention.ms=60000']);
    expect(set).toMatchObject({ code: 0, stdout: 'Changed 1 config(s) of topic cli-configs.\n' });
    const table = await runnel(['configs', 'describe', '--topic', 'cli-configs']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^retention\.ms\s+60000\s+DYNAMIC_TOPIC_CONFIG\s+LONG/m);
    expect(table.stdout).not.toContain('segment.bytes');
    const all = await runnel(['configs', 'describe', '--topic', 'cli-configs', '--all', '--output', 'json']);
    const parsed = JSON.parse(all.stdout) as JsonConfigs;
    expect(parsed.configs.find((c) => c.name === 'segment.bytes')).toMatchObject({
      source: 'DEFAULT_CONFIG',
      isDefault: true,
      type: 'INT',
    });
  });

  it('cluster-wide broker defaults are set, described on the broker with their source, and deleted', async () => {
    const set = await runnel(['configs', 'alter', '--broker-defaults', '--set', 'log.retention.ms=259200000']);
    expect(set).toMatchObject({ code: 0, stdout: 'Changed 1 config(s) of the cluster-wide broker defaults.\n' });
    const defaults = JSON.parse(
      (await runnel(['configs', 'describe', '--broker-defaults', '--output', 'json'])).stdout,
    ) as JsonConfigs;
    expect(defaults.configs.map((c) => [c.name, c.value, c.source])).toEqual([
      ['log.retention.ms', '259200000', 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
    ]);
    const topic = await runnel([
      'configs',
      'describe',
      '--topic',
      'cli-configs',
      '--config',
      'segment.ms',
      '--config',
      'retention.ms',
    ]);
    expect(topic.stdout).toMatch(/^retention\.ms\s+60000\s+DYNAMIC_TOPIC_CONFIG/m);
    expect((await runnel(['configs', 'alter', '--broker-defaults', '--delete', 'log.retention.ms'])).code).toBe(0);
    expect((await runnel(['configs', 'describe', '--broker-defaults'])).stdout).toBe(
      'Cluster-wide default broker configs: none set.\n',
    );
  });

  it('refusals exit 1 with Kafka error names: read-only broker config, bad value, no target', async () => {
    const readOnly = await runnel(['configs', 'alter', '--broker', '1', '--set', 'log.dirs=/tmp/x']);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/^runnel: INVALID_REQUEST: .*read-only/);
    const bad = await runnel(['configs', 'alter', '--broker-defaults', '--set', 'log.retention.ms=soon']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^runnel: INVALID_CONFIG/);
    const none = await runnel(['configs', 'describe']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('exactly one of');
  });

  it('broker log levels: describe lists root, alter sets a level', async () => {
    expect((await runnel(['configs', 'alter', '--broker-logger', '1', '--set', 'root=WARN'])).code).toBe(0);
    const levels = await runnel(['configs', 'describe', '--broker-logger', '1', '--all']);
    expect(levels.stdout).toMatch(/^root\s+WARN\s+DYNAMIC_BROKER_LOGGER_CONFIG/m);
    expect((await runnel(['configs', 'alter', '--broker-logger', '1', '--set', 'root=INFO'])).code).toBe(0);
  });
});

describe('configsTable', () => {
  it('aligns columns, marks defaults and hidden values, and lists synonyms under their row', () => {
    const text = configsTable(
      { kind: 'topic', name: 't' },
      [
        {
          name: 'retention.ms',
          value: '1',
          source: 'DYNAMIC_TOPIC_CONFIG',
          isDefault: false,
          readOnly: false,
          sensitive: false,
          type: 'LONG',
          documentation: null,
          synonyms: [{ name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' }],
        },
        {
          name: 'ssl.keystore.password',
          value: null,
          source: 'DEFAULT_CONFIG',
          isDefault: true,
          readOnly: false,
          sensitive: true,
          type: 'PASSWORD',
          documentation: null,
          synonyms: [],
        },
      ],
      { synonyms: true, documentation: false },
    );
    expect(text).toBe(
      [
        'Configs for topic t:',
        'NAME                   VALUE     SOURCE                TYPE      FLAGS',
        'retention.ms           1         DYNAMIC_TOPIC_CONFIG  LONG',
        '    synonym log.retention.hours=168 (DEFAULT_CONFIG)',
        'ssl.keystore.password  (hidden)  DEFAULT_CONFIG        PASSWORD  default,sensitive',
        '',
      ].join('\n'),
    );
  });
});
