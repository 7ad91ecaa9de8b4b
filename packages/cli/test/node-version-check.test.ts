/**
 * First run on an old Node.js: the `runnel` bin and `npm start` print one line
 * naming the Node.js to install and exit 1 instead of crashing on the first
 * `.ts` import; under a supported Node the bin runs the CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, nodeVersionSupported, supportedNodeRange } from '../bin/node-version-check.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(import.meta.dirname, '..', 'bin', 'runnel.js');
const problemLine = /^runnel needs Node\.js 22\.18 or newer \(this is v\d+\.\d+\.\d+\); install Node\.js 24 LTS .*$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The first `node` on the PATH whose version Runnel refuses (machines here ship Node 20 in /usr/bin). */
function findUnsupportedNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const probe = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const version = probe.stdout.trim();
    if (probe.status === 0 && !nodeVersionSupported(version)) return candidate;
  }
  return undefined;
}

describe('Node.js version check', () => {
  it('refuses versions that cannot strip types and accepts those that can', () => {
    for (const version of ['20.19.0', 'v20.20.2', '18.0.0', '22.12.0', '22.17.1', '23.5.0', '21.7.3', 'garbage']) {
      expect(nodeVersionSupported(version), version).toBe(false);
    }
    for (const version of ['22.18.0', 'v22.21.1', '23.6.0', '24.0.0', '24.11.1', '26.1.0']) {
      expect(nodeVersionSupported(version), version).toBe(true);
    }
  });

  it('the refusal is one line naming the required and the running version and how to get Node 24', () => {
    const problem = nodeVersionProblem('20.19.0');
    expect(problem).toMatch(problemLine);
    expect(problem).toContain('(this is v20.19.0)');
    expect(nodeVersionProblem('24.11.1')).toBeUndefined();
  });

  it('under an unsupported Node, the runnel bin prints that one line and exits 1', async () => {
    const oldNode = findUnsupportedNode();
    if (oldNode === undefined) {
      // No old Node on this machine to run the bin with: check the decision the bin makes for one instead.
      expect(nodeVersionProblem('20.19.0')).toMatch(problemLine);
      return;
    }
    const result = await run(oldNode, [bin, 'dev', '--port', '0', '--http-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(problemLine)]);
  });

  it('with an unsupported Node first on the PATH, npm start prints the line and exits non-zero', async () => {
    const oldNode = findUnsupportedNode();
    if (oldNode === undefined) {
      expect(nodeVersionProblem('22.12.0')).toMatch(problemLine);
      return;
    }
    // `npm` is itself a node script: with the old node's directory first, both npm and the start script run on it.
    const PATH = `${dirname(oldNode)}${delimiter}${process.env.PATH ?? ''}`;
    const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8', env: { ...process.env, PATH } });
    const result = await run(npm.stdout.trim(), ['start'], { ...process.env, PATH });
    expect(result.code).not.toBe(0);
    const ours = result.stderr.split('\n').filter((line) => line.startsWith('runnel needs'));
    expect(ours).toEqual([expect.stringMatching(problemLine)]);
    expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
  });

  it('npm refuses the same versions: every package.json declares the supported range in engines', () => {
    const manifests = [
      join(repoRoot, 'package.json'),
      ...readdirSync(join(repoRoot, 'packages')).map((pkg) => join(repoRoot, 'packages', pkg, 'package.json')),
    ];
    for (const manifest of manifests) {
      const engines: unknown = JSON.parse(readFileSync(manifest, 'utf8')).engines;
      expect(engines, manifest).toEqual({ node: supportedNodeRange });
    }
    const npmrc = readFileSync(join(repoRoot, '.npmrc'), 'utf8');
    expect(npmrc.split('\n')).toContain('engine-strict=true');
  });

  it('under this Node, the runnel bin runs the CLI (--help)', async () => {
    const result = await run(process.execPath, [bin, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: runnel');
    expect(result.stdout).toContain('dev');
  });
});
