/**
 * What real processes write to their logs, read as raw text: every JSON line
 * holds each key once (JSON.parse would hide a second one), through start,
 * topic auto-creation, produce, a consumer group, controlled shutdown and
 * stop, in `runnel dev` and in a controller + broker cluster. Also the
 * format switch: `--log-format pretty` or RUNNEL_LOG_FORMAT=pretty gives
 * text lines, and a terminal gets them without asking.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat } from '../harness/kcat.ts';
import { duplicateKeys, jsonLines } from '../harness/log-lines.ts';
import { waitFor } from '../harness/wait.ts';

const cliMain = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');

/** Produces to an auto-created topic and reads it back through a consumer group, so groups and partitions log. */
async function exercise(bootstrap: string, topic: string): Promise<void> {
  const produced = await kcat(['-P', '-b', bootstrap, '-t', topic], 'one\ntwo\n', 30_000);
  expect(produced.code, produced.stderr).toBe(0);
  const consumed = await kcat(
    ['-G', `${topic}-group`, '-b', bootstrap, '-o', 'beginning', '-e', '-q', topic],
    '',
    60_000,
  );
  expect(consumed.code, consumed.stderr).toBe(0);
  expect(consumed.stdout.toString('utf8')).toBe('one\ntwo\n');
}

function linesWithDuplicates(output: string): string[] {
  return jsonLines(output).filter((line) => duplicateKeys(line).length > 0);
}

describe('duplicate keys (the checker itself)', () => {
  it('finds a key given twice in one object, at any depth, and nothing in keys of different objects or in strings', () => {
    expect(duplicateKeys('{"a":1,"b":{"a":2},"c":"x"}')).toEqual([]);
    expect(duplicateKeys('{"component":"broker","nodeId":1,"component":"offsets-store"}')).toEqual(['component']);
    expect(duplicateKeys('{"x":[{"k":1},{"k":2}],"y":{"k":1,"k":2}}')).toEqual(['k']);
    expect(duplicateKeys('{"msg":"say \\"a\\": {\\"a\\":1}","a":1}')).toEqual([]);
  });
});

describe('log lines of real processes', () => {
  let cluster: TestCluster | undefined;
  let dev: DevProcess | undefined;
  afterAll(async () => {
    await dev?.kill('SIGKILL');
    await cluster?.stop();
  });

  it('runnel dev --log-format json: no line holds a key twice', async () => {
    dev = await DevProcess.start({ args: ['--log-format', 'json'] });
    await exercise(dev.bootstrap, 'dev-logs');
    expect(await dev.kill('SIGTERM')).toBe(0);
    const lines = jsonLines(dev.output);
    // Lines from child loggers of child loggers (process role > broker > group coordinator) were written.
    expect(lines.some((l) => l.includes('"group-coordinator"'))).toBe(true);
    expect(lines.some((l) => l.includes('"msg":"broker stopped"'))).toBe(true);
    expect(linesWithDuplicates(dev.output)).toEqual([]);
  });

  it('runnel controller and runnel broker --log-format json: no line holds a key twice', async () => {
    cluster = await TestCluster.start({
      controllers: 1,
      brokers: 1,
      controllerArgs: ['--log-format', 'json'],
      brokerArgs: () => ['--log-format', 'json'],
    });
    await exercise(cluster.bootstrap(), 'cluster-logs');
    expect(await cluster.kill('broker', 1, 'SIGTERM')).toBe(0);
    expect(await cluster.kill('controller', 1, 'SIGTERM')).toBe(0);
    const controller = cluster.process('controller', 1).output;
    const broker = cluster.process('broker', 1).output;
    expect(jsonLines(controller).some((l) => l.includes('"raft-log-store"'))).toBe(true);
    expect(jsonLines(broker).some((l) => l.includes('"msg":"broker stopped"'))).toBe(true);
    expect(linesWithDuplicates(controller)).toEqual([]);
    expect(linesWithDuplicates(broker)).toEqual([]);
  });
});

/** Starts `runnel dev` on free ports (under `wrapper`, e.g. a pseudo-terminal), waits for its started line, stops it. */
async function devOutput(options: {
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  terminal?: boolean;
}): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'runnel-log-format-'));
  const dev = [
    process.execPath,
    cliMain,
    'dev',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--http-port',
    '0',
    '--registry-port',
    '0',
    '--rest-port',
    '0',
  ];
  const command = [...dev, ...(options.args ?? [])];
  // `script` runs the command on a pseudo-terminal: its stdout is a TTY, as in a person's shell.
  const [file, ...args] = options.terminal === true ? ['script', '-qec', command.join(' '), '/dev/null'] : command;
  if (file === undefined) throw new Error('no command');
  const child = spawn(file, args, {
    env: { ...process.env, RUNNEL_LOG_FORMAT: undefined, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', (error) => {
      spawnError = error;
      done();
    });
  });
  try {
    await waitFor(
      () => {
        if (spawnError !== undefined) throw spawnError;
        return output.includes('broker started');
      },
      {
        timeoutMs: 30_000,
        what: `"broker started" in:\n${output}`,
      },
    );
  } finally {
    // The whole group: with `script`, runnel is its child.
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  // Without colour codes and carriage returns (a terminal gets both).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the terminal's escape sequences is the point
  return output.replace(/\u001b\[[0-9;]*m/g, '').replaceAll('\r', '');
}

function startedLine(output: string): string | undefined {
  return output.split('\n').find((line) => line.includes('broker started'));
}

describe('log format', () => {
  it('--log-format pretty writes text lines: time, level, name, message, then the fields', async () => {
    const line = startedLine(await devOutput({ args: ['--log-format', 'pretty'] }));
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(runnel\): \[broker\] broker started \{"nodeId":1,.*"port":\d+/,
    );
  });

  it('RUNNEL_LOG_FORMAT=pretty does the same; without either, a pipe gets JSON', async () => {
    expect(startedLine(await devOutput({ env: { RUNNEL_LOG_FORMAT: 'pretty' } }))).toMatch(/^\[.*\] INFO \(runnel\): /);
    expect(JSON.parse(startedLine(await devOutput({})) ?? '')).toMatchObject({ msg: 'broker started' });
  });

  it('on a terminal the default is pretty, and --log-format json still gives JSON', async () => {
    expect(startedLine(await devOutput({ terminal: true }))).toMatch(
      /^\[.*\] INFO \(runnel\): \[broker\] broker started/,
    );
    const forced = startedLine(await devOutput({ terminal: true, args: ['--log-format', 'json'] }));
    expect(JSON.parse(forced ?? '')).toMatchObject({ msg: 'broker started' });
  });
});
