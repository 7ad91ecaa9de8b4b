/**
 * The course lab (docs/schema-registry-lab.md) exactly as written: every
 * `sh` block runs in order in bash from the repository root against a
 * fresh `runnel dev`, and what it prints (stdout and stderr together) must
 * equal the `text` block that follows it. The page's addresses are this
 * test's free ports: the registry URL is rewritten in the commands, the
 * CLI's defaults come from RUNNEL_BOOTSTRAP_SERVER / RUNNEL_REGISTRY_URL.
 * A change to the CLI, the registry or the page that makes them disagree
 * fails here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const labPath = join(repoRoot, 'docs', 'schema-registry-lab.md');
const pageRegistry = 'http://127.0.0.1:8081';

interface Step {
  commands: string;
  expected: string | null;
}

/** The page's `sh` blocks, each with the `text` block right after it (its output), if any. */
function labSteps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: m[1] ?? '',
    body: m[2] ?? '',
  }));
  const steps: Step[] = [];
  for (const [i, block] of blocks.entries()) {
    if (block.info !== 'sh') continue;
    const next = blocks[i + 1];
    steps.push({ commands: block.body, expected: next?.info === 'text' ? next.body : null });
  }
  return steps;
}

function runBash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    // One pipe for both streams, so the output interleaves as it would in a terminal.
    const child = spawn('bash', ['-c', `{\n${script}\n} 2>&1`], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
  await waitFor(async () => (await fetch(`http://127.0.0.1:${dev.registryPort}/readyz`)).status === 200, {
    what: 'registry ready',
  });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('the Schema Registry lab page', () => {
  it('has the lab steps the course asks for, each with its expected output', () => {
    const steps = labSteps(readFileSync(labPath, 'utf8'));
    const all = steps.map((s) => s.commands).join('\n');
    expect(steps.every((s) => s.expected !== null)).toBe(true);
    for (const part of [
      '/subjects/orders-value/versions',
      '/compatibility/subjects/orders-value/versions/latest',
      '-X PUT',
      '/config/orders-value',
      'runnel produce orders --value-format avro',
      'runnel consume orders --value-format avro',
    ]) {
      expect(all).toContain(part);
    }
  });

  it('prints exactly what the page shows, block after block, against a fresh runnel dev', async () => {
    const registryUrl = `http://127.0.0.1:${dev.registryPort}`;
    const env = {
      ...process.env,
      // The Node running this test first, so `npx runnel` runs on it.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      RUNNEL_BOOTSTRAP_SERVER: dev.bootstrap,
      RUNNEL_REGISTRY_URL: registryUrl,
    };
    for (const step of labSteps(readFileSync(labPath, 'utf8'))) {
      const { output } = await runBash(step.commands.replaceAll(pageRegistry, registryUrl), env);
      expect({ commands: step.commands, output: output.trimEnd() }).toEqual({
        commands: step.commands,
        output: (step.expected ?? '').trimEnd(),
      });
    }
  });
});
