import { describe, expect, it } from 'vitest';
import { parseVoters, resolveControllerConfig } from '../src/controller-config.ts';

const voters = '1@127.0.0.1:9093,2@127.0.0.1:9094,3@localhost:9095';

function message(result: { ok: boolean; message?: string }): string {
  expect(result.ok).toBe(false);
  return result.message ?? '';
}

describe('controller configuration', () => {
  it('parses voters, including IPv6 hosts', () => {
    const parsed = parseVoters('1@127.0.0.1:9093, 2@[::1]:9094');
    expect(parsed).toEqual({
      ok: true,
      value: [
        { nodeId: 1, host: '127.0.0.1', port: 9093 },
        { nodeId: 2, host: '::1', port: 9094 },
      ],
    });
  });

  it('resolves a valid configuration with defaults', () => {
    const config = resolveControllerConfig({ nodeId: '2', voters, dataDir: 'data/c2' });
    expect(config.ok).toBe(true);
    if (config.ok) {
      expect(config.value.nodeId).toBe(2);
      expect(config.value.voters.length).toBe(3);
      expect(config.value.electionTicks).toBe(10);
    }
  });

  it('refuses a node id that is not a voter and says which ids are', () => {
    expect(message(resolveControllerConfig({ nodeId: 4, voters, dataDir: 'd' }))).toMatch(
      /node-id 4 is not among the voters \(1, 2, 3\)/,
    );
  });

  it('refuses a node id given twice in the voters (an id clash)', () => {
    expect(message(parseVoters('1@a:1,1@b:2'))).toMatch(/node id 1 appears twice/);
  });

  it('refuses malformed voters, ports and values with the setting named', () => {
    expect(message(parseVoters('1@host'))).toMatch(/"1@host" is not id@host:port/);
    expect(message(parseVoters('1@host:70000'))).toMatch(/port/);
    expect(message(parseVoters('1@h:1,2@h:1'))).toMatch(/h:1 is given to two node ids/);
    expect(message(resolveControllerConfig({ nodeId: 1, voters, dataDir: 'd', tickMs: 'fast' }))).toMatch(
      /tick-ms: "fast" must be an integer/,
    );
    expect(
      message(resolveControllerConfig({ nodeId: 1, voters, dataDir: 'd', electionTicks: 2, heartbeatTicks: 2 })),
    ).toMatch(/heartbeat-ticks \(2\) must be below election-ticks \(2\)/);
    expect(message(resolveControllerConfig({ nodeId: 1, voters }))).toMatch(/data-dir: required/);
  });
});
