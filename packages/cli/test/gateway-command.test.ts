import { describe, expect, it } from 'vitest';
import { runRunnel } from './run-runnel.ts';

describe('runnel gateway', () => {
  it('--help names its options, their environment variables and what /readyz answers', async () => {
    const help = await runRunnel(['gateway', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: runnel gateway /);
    for (const text of [
      '--bootstrap',
      '--host',
      '--registry-port',
      '--http-port',
      '--log-level',
      '--log-format',
      'RUNNEL_BOOTSTRAP',
      'RUNNEL_REGISTRY_PORT',
      'default: 8081',
      '/readyz',
    ]) {
      expect(help.stdout).toContain(text);
    }
  });

  it('runnel --help lists gateway', async () => {
    expect((await runRunnel(['--help'])).stdout).toMatch(/^ {2}gateway /m);
  });

  it('runnel dev --help names --no-gateway and --registry-port', async () => {
    const help = await runRunnel(['dev', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--no-gateway');
    expect(help.stdout).toContain('--registry-port');
    expect(help.stdout).toContain('RUNNEL_REGISTRY_PORT');
  });

  it('without --bootstrap (nor RUNNEL_BOOTSTRAP) it exits 1 naming the missing option', async () => {
    const result = await runRunnel(['gateway', '--registry-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--bootstrap');
  });

  it('a bootstrap list that does not parse exits 2 with one line, before listening', async () => {
    const result = await runRunnel(['gateway', '--bootstrap', 'broker:port', '--registry-port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^runnel gateway: invalid bootstrap "broker:port"/);
  });
});
