/**
 * The server processes' Node flags (packages/cli/src/server-node-flags.ts)
 * are defined once in TypeScript but must also be spelled where no
 * TypeScript runs: the `runnel` bin's shebang, `npm start` and the Docker
 * image's entrypoint. Each must carry exactly those flags.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverNodeFlags } from '../../packages/cli/src/server-node-flags.ts';

const root = resolve(import.meta.dirname, '..', '..');
const read = (path: string) => readFile(join(root, path), 'utf8');

/** The flags (`--...`) among a command's words, before its script. */
function flagsOf(words: readonly string[]): string[] {
  return words.filter((w) => w.startsWith('--') && !w.includes('/'));
}

describe('server node flags', () => {
  it('the bin shebang, npm start and the Docker entrypoint start node with the same flags', async () => {
    const shebang = (await read('packages/cli/bin/runnel.js')).split('\n')[0] ?? '';
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(flagsOf(shebang.split(' ').slice(3))).toEqual(serverNodeFlags);

    const start = (JSON.parse(await read('package.json')) as { scripts: Record<string, string> }).scripts.start ?? '';
    const startWords = start.split(' ');
    expect(startWords[0]).toBe('node');
    expect(flagsOf(startWords.slice(1, startWords.indexOf('packages/cli/bin/runnel.js')))).toEqual(serverNodeFlags);

    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(await read('deploy/Dockerfile'))?.[1];
    const words = JSON.parse(entrypoint ?? '[]') as string[];
    expect(words[0]).toBe('node');
    expect(flagsOf(words.slice(1, words.indexOf('packages/cli/src/main.ts')))).toEqual(serverNodeFlags);
  });
});
