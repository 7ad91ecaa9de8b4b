/**
 * `runnel controller`: how settings merge (flags > RUNNEL_* env > config
 * file > defaults), what is refused at start (exit 2 with one line saying
 * what to fix), and a real process that starts, serves metrics and stops
 * cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProperties } from '../src/config-file.ts';
import type { ControllerSettingSources } from '../src/controller-settings.ts';
import { mergeControllerSettings, resolveControllerSettings } from '../src/controller-settings.ts';

const main = resolve(import.meta.dirname, '../src/main.ts');

/**
 * A port free now, below the kernel's ephemeral range and in this vitest
 * worker's own slice, as packages/controller/test/fixtures/ports-and-waits.ts
 * explains (two package test files run at once; a port found by binding 0
 * could be handed to the other worker's process before the controller binds it).
 */
async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  const base = 32_000 - 500 * ((Number.isInteger(worker) && worker > 0 ? worker : 1) % 4);
  for (let port = base - Math.floor(Math.random() * 400), tried = 0; tried < 400; port++, tried++) {
    const free = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port');
}

function settings(sources: Partial<ControllerSettingSources>) {
  const merged = mergeControllerSettings({ flags: {}, env: {}, file: null, ...sources });
  if (!merged.ok) return merged;
  return resolveControllerSettings(merged.value);
}

const voters = '1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095';

describe('controller settings', () => {
  it('a flag beats the environment, which beats the config file, which beats the default', () => {
    const file = {
      path: 'c.properties',
      values: new Map([
        ['node.id', '3'],
        ['controller.quorum.voters', voters],
        ['log.dirs', '/data/a,/data/b'],
        ['raft.tick.ms', '50'],
        ['broker.session.timeout.ms', '4000'],
        ['num.partitions', '6'],
      ]),
    };
    const result = settings({
      flags: { nodeId: '1' },
      env: { RUNNEL_NODE_ID: '2', RUNNEL_TICK_MS: '25' },
      file,
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        config: { nodeId: 1, tickMs: 25, brokerSessionTimeoutMs: 4000, dataDir: '/data/a', electionTicks: 10 },
        numPartitions: 6,
        defaultReplicationFactor: 1,
        servicePort: 9193,
        logLevel: 'info',
      },
    });
  });

  it('the service port defaults to the Raft port plus 100 and may be set to 0 (any)', () => {
    const base = { nodeId: '2', voters, dataDir: '/d' };
    expect(settings({ flags: base })).toMatchObject({ ok: true, value: { servicePort: 9194 } });
    expect(settings({ flags: { ...base, servicePort: '0' } })).toMatchObject({ ok: true, value: { servicePort: 0 } });
    expect(settings({ flags: { ...base, servicePort: '9094' } })).toMatchObject({
      ok: false,
      message: "service-port: 9094 is this node's Raft port (set by --service-port)",
    });
  });

  it('metadata.log.dir wins over log.dirs in the config file', () => {
    const values = new Map([
      ['node.id', '1'],
      ['controller.quorum.voters', voters],
      ['log.dirs', '/logs'],
      ['metadata.log.dir', '/meta'],
    ]);
    expect(settings({ file: { path: 'f', values } })).toMatchObject({
      ok: true,
      value: { config: { dataDir: '/meta' } },
    });
  });

  it('an unknown key in the config file is refused by name', () => {
    const values = new Map([['node.idd', '1']]);
    const result = settings({ file: { path: 'c.properties', values } });
    expect(result).toMatchObject({ ok: false, error: 'unknown_key' });
    expect(result.ok ? '' : result.message).toMatch(
      /^config file c\.properties: unknown key "node\.idd"; known keys: /,
    );
  });

  it('a bad value names the setting and where it was set', () => {
    const result = settings({
      flags: { nodeId: '1', voters, dataDir: '/d' },
      env: { RUNNEL_ELECTION_TICKS: 'ten' },
    });
    expect(result).toMatchObject({
      ok: false,
      message: 'election-ticks: "ten" must be an integer from 2 to 10000 (set by RUNNEL_ELECTION_TICKS)',
    });
    expect(settings({ flags: { nodeId: '1', voters, dataDir: '/d', logLevel: 'loud' } })).toMatchObject({
      ok: false,
      error: 'invalid_config',
    });
    expect(settings({ flags: { nodeId: '1', voters, dataDir: '/d', numPartitions: '0' } })).toMatchObject({
      ok: false,
      message: 'num-partitions: must be an integer 1-10000 (set by --num-partitions)',
    });
  });

  it('log.format is json or pretty from any source, and absent unless set (the terminal decides)', () => {
    const base = { nodeId: '1', voters, dataDir: '/d' };
    expect(settings({ flags: base })).toMatchObject({ ok: true, value: { logLevel: 'info' } });
    expect(settings({ flags: base })).not.toHaveProperty('value.logFormat');
    expect(settings({ flags: base, env: { RUNNEL_LOG_FORMAT: 'pretty' } })).toMatchObject({
      ok: true,
      value: { logFormat: 'pretty' },
    });
    const file = { path: 'c.properties', values: new Map([['log.format', 'json']]) };
    expect(settings({ flags: base, file })).toMatchObject({ ok: true, value: { logFormat: 'json' } });
    expect(settings({ flags: { ...base, logFormat: 'fancy' } })).toMatchObject({
      ok: false,
      message: 'log-format: "fancy" must be one of json, pretty (set by --log-format)',
    });
  });

  it('properties text skips comments and blank lines and refuses lines without "=" or keys set twice', () => {
    expect(parseProperties('# c\n\n! c\n node.id = 4 \nlog.dirs=/a=b\n', 'f')).toEqual({
      ok: true,
      value: new Map([
        ['node.id', '4'],
        ['log.dirs', '/a=b'],
      ]),
    });
    expect(parseProperties('node.id=1\nvoters\n', 'f')).toMatchObject({
      ok: false,
      message: 'f:2: "voters" is not key=value',
    });
    expect(parseProperties('node.id=1\nnode.id=2\n', 'f')).toMatchObject({ ok: false, error: 'malformed' });
  });
});

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function launch(args: string[], env: Record<string, string> = {}): { child: ChildProcess; exited: Promise<Exited> } {
  const child = spawn(process.execPath, [main, 'controller', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Exited>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  return { child, exited: exited.then((e) => ({ ...e, stdout, stderr })) };
}

async function refused(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { code, stderr } = await launch(args, env).exited;
  expect(code).toBe(2);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trimEnd();
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('runnel controller process', () => {
  it('a node id outside the voters is refused with exit 2 and one line saying what to fix', async () => {
    const line = await refused(['--node-id', '4', '--voters', voters, '--data-dir', '/tmp/unused']);
    expect(line).toBe(
      'runnel controller: node-id 4 is not among the voters (1, 2, 3); add it to --voters or use one of those ids (set by --node-id)',
    );
  });

  it('a missing or misspelt config file, or a bad environment value, is refused with exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runnel-ctl-cfg-'));
    expect(await refused(['--config', join(dir, 'absent.properties')])).toMatch(
      /^runnel controller: config file .*absent\.properties cannot be read \(ENOENT.*check the --config path$/,
    );
    const path = join(dir, 'c.properties');
    await writeFile(path, `node.id=1\ncontroller.quorum.voter=${voters}\n`);
    expect(await refused(['--config', path])).toMatch(/unknown key "controller\.quorum\.voter"/);
    expect(await refused([], { RUNNEL_NODE_ID: 'one', RUNNEL_VOTERS: voters, RUNNEL_DATA_DIR: dir })).toBe(
      'runnel controller: node-id: "one" must be an integer from 1 to 2147483647 (set by RUNNEL_NODE_ID)',
    );
  });

  it('starts from a config file, logs one start line, serves metrics as the active controller, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runnel-ctl-run-'));
    const raftPort = await freePort();
    const path = join(dir, 'c.properties');
    await writeFile(path, `node.id=1\ncontroller.quorum.voters=1@127.0.0.1:${raftPort}\nlog.dirs=${dir}\n`);
    const { child, exited } = launch(['--config', path, '--service-port', '0', '--http-port', '0'], {
      RUNNEL_TICK_MS: '20',
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const started = await waitFor(async () => {
      const line = out.split('\n').find((l) => l.includes('"msg":"controller started"'));
      return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
    }, 'the start line');
    expect(started).toMatchObject({ nodeId: 1, raftPort, pid: child.pid });
    expect(started.servicePort).toBeGreaterThan(0);
    const metrics = await waitFor(async () => {
      const ready = await fetch(`http://127.0.0.1:${String(started.httpPort)}/readyz`);
      if (ready.status !== 200) return undefined;
      const text = await (await fetch(`http://127.0.0.1:${String(started.httpPort)}/metrics`)).text();
      return text.includes('kafka_controller_kafkacontroller_activecontrollercount 1') ? text : undefined;
    }, 'ready and active');
    expect(metrics).toContain('runnel_raft_term 1');
    expect(metrics).toContain('process_cpu_seconds_total');

    // A second controller on the same data dir finds the Raft store locked.
    const locked = await refused(['--config', path, '--service-port', '0']);
    expect(locked).toMatch(/^runnel controller: the Raft store in .* is in use by another process/);

    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    expect(out.split('\n').filter((l) => l.includes('"msg":"controller started"'))).toHaveLength(1);

    // With the store's manifest overwritten, the next start is refused as corrupt.
    const raftDir = join(dir, 'raft');
    const manifest = (await readFile(join(raftDir, 'CURRENT'), 'utf8')).trim();
    await writeFile(join(raftDir, manifest), Buffer.alloc(300, 0xab));
    expect(await refused(['--config', path])).toMatch(/^runnel controller: the Raft store in .* is damaged: /);
  });
});
