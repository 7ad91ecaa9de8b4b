import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      '--http-host',
      'RUNNEL_HTTP_HOST',
      '--log-level',
      '--log-format',
      'RUNNEL_BOOTSTRAP',
      'RUNNEL_REGISTRY_PORT',
      '--advertised-url',
      '--registry-topic',
      '--no-registry-writer',
      '--registry-session-timeout-ms',
      '--rest-consumer-instance-timeout-ms',
      'RUNNEL_REST_CONSUMER_INSTANCE_TIMEOUT_MS',
      '--rest-consumer-instances-max',
      '--rest-consumer-owner-timeout-ms',
      '/readyz',
    ]) {
      expect(help.stdout).toContain(text);
    }
    // Commander wraps the description column, so the default may sit on the next line.
    expect(help.stdout).toMatch(/default:\s+8081/);
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

describe('runnel dev with its gateway port taken', () => {
  it('exits 2 with one line naming the port and --registry-port, --rest-port / --no-gateway', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-dev-gateway-port-'));
    try {
      const result = await runRunnel([
        ...['dev', '--data-dir', dataDir, '--port', '0', '--http-port', '0'],
        ...['--registry-port', String(port), '--rest-port', '0', '--log-level', 'silent'],
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^runnel dev: the gateway could not start on 127\\.0\\.0\\.1:${port} \\(REST 0\\) \\(.*EADDRINUSE.*--rest-port or leave it out with --no-gateway\\n$`,
        ),
      );
    } finally {
      blocker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
