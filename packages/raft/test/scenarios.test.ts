/**
 * Golden transcripts: each testdata/*.txt is a scenario of commands, each
 * followed by `----` and the output it produced when recorded. The runner
 * replays the commands on a fresh InteractionEnv and compares the whole
 * transcript; `UPDATE_GOLDEN=1 npx vitest run packages/raft` rewrites them.
 *
 * Format: a block is optional `#` comment lines, one command line
 * (`name arg...`), a `----` line, then output lines up to a blank line.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InteractionEnv } from './interaction-env.ts';

interface Block {
  readonly comments: readonly string[];
  readonly command: string;
  readonly output: string;
}

const testdata = join(import.meta.dirname, 'testdata');

function parse(source: string, file: string): Block[] {
  const lines = source.split('\n');
  const blocks: Block[] = [];
  let comments: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      comments.push(line);
      continue;
    }
    if (lines[i + 1] !== '----') throw new Error(`${file}:${i + 2}: expected ---- after "${line}"`);
    const output: string[] = [];
    for (i += 2; i < lines.length && (lines[i] ?? '') !== ''; i++) output.push(lines[i] ?? '');
    blocks.push({ comments, command: line, output: output.join('\n') });
    comments = [];
  }
  return blocks;
}

function render(blocks: readonly Block[]): string {
  return `${blocks.map((b) => [...b.comments, b.command, '----', b.output].join('\n')).join('\n\n')}\n`;
}

function replay(blocks: readonly Block[]): Block[] {
  const env = new InteractionEnv();
  return blocks.map((block) => {
    const [name = '', ...args] = block.command.split(/\s+/);
    return { ...block, output: env.run(name, args) };
  });
}

const files = readdirSync(testdata)
  .filter((name) => name.endsWith('.txt'))
  .sort();

describe('golden raft scenarios', () => {
  it('has the scenarios the core must pass', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    it(`${file} replays to its recorded transcript`, () => {
      const path = join(testdata, file);
      const source = readFileSync(path, 'utf8');
      const actual = render(replay(parse(source, file)));
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
      else expect(actual).toBe(source);
    });
  }
});
