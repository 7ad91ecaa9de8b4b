/**
 * `runnel controller` refuses to start on bad input, with exit code 2 and
 * one line on stderr that names the setting (or the store) and the fix:
 * a node id missing from the voters, a voter id given twice, a value that
 * is not a number, and a Raft store that is damaged (garbage in LevelDB's
 * files, 64 bad bytes in its write-ahead log, which LevelDB alone would drop
 * silently and open a shortened log, or a log entry missing from the middle
 * of the log). The refusal is logged at error level too.
 */
import { mkdtemp, open, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../harness/cluster.ts';
import { ClusterProcess } from '../harness/cluster-process.ts';
import { runnel } from '../harness/runnel-cli.ts';

async function controllerArgs(dataDir: string, nodeId = 1, voters?: string): Promise<string[]> {
  const [raft, service] = await freePorts(2);
  return [
    ...['--node-id', String(nodeId), '--voters', voters ?? `1@127.0.0.1:${raft}`],
    ...['--service-port', String(service), '--data-dir', dataDir, '--tick-ms', '20', '--election-ticks', '5'],
  ];
}

/** Runs `runnel controller` expecting it to refuse; a controller that starts instead fails the test by timing out. */
async function refused(args: readonly string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const result = await runnel(['controller', ...args], undefined, 20_000);
  return { code: result.code, stderr: result.stderr, stdout: result.stdout };
}

/** A single-voter controller started and stopped `runs` times: one leader term, one log entry per run. */
async function storeWithEntries(runs: number): Promise<{ dataDir: string; args: string[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'runnel-bad-start-'));
  const args = await controllerArgs(dataDir);
  const node = new ClusterProcess('controller', 1, dataDir, args);
  for (let run = 0; run < runs; run++) {
    await node.start('controller started');
    await node.waitForLog((l) => l.msg === 'became the active controller', { what: 'leadership' });
    expect(await node.kill('SIGTERM')).toBe(0);
  }
  return { dataDir, args };
}

describe('runnel controller refuses bad input at start', () => {
  it('a node id that is not among the voters exits 2 and says to add it to --voters', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-bad-start-'));
    const [a, b] = await freePorts(2);
    const result = await refused(await controllerArgs(dataDir, 3, `1@127.0.0.1:${a},2@127.0.0.1:${b}`));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('node-id 3 is not among the voters (1, 2)');
    expect(result.stderr).toContain('add it to --voters');
  });

  it('a voter id given twice exits 2 and says every controller needs its own id', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-bad-start-'));
    const [a, b] = await freePorts(2);
    const result = await refused(await controllerArgs(dataDir, 1, `1@127.0.0.1:${a},1@127.0.0.1:${b}`));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('node id 1 appears twice');
    expect(result.stderr).toContain('its own id');
  });

  it('--tick-ms abc exits 2 naming the flag and the allowed range', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-bad-start-'));
    const result = await refused([...(await controllerArgs(dataDir)), '--tick-ms', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tick-ms: "abc" must be an integer');
    expect(result.stderr).toContain('--tick-ms');
  });

  it('garbage in the LevelDB CURRENT file of a stopped controller exits 2: the store is damaged, move it aside to rejoin from a peer', async () => {
    const { dataDir, args } = await storeWithEntries(1);
    await writeFile(join(dataDir, 'raft', 'CURRENT'), 'garbage');
    const result = await refused(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the Raft store in ${join(dataDir, 'raft')} is damaged`);
    expect(result.stderr).toContain(`move ${join(dataDir, 'raft')} aside`);
  });

  it("64 bad bytes in the Raft store's write-ahead log exit 2 naming the log file, logged at error level, instead of a shortened log", async () => {
    const { dataDir, args } = await storeWithEntries(3);
    const raftDir = join(dataDir, 'raft');
    const wal = (await readdir(raftDir)).find((name) => name.endsWith('.log'));
    if (wal === undefined) throw new Error('no write-ahead log in the store');
    const walPath = join(raftDir, wal);
    // The last run's records (a term, its no-op entry, the commit); the bytes land inside them.
    expect((await stat(walPath)).size).toBeGreaterThan(8 + 64);
    const file = await open(walPath, 'r+');
    await file.write(Buffer.alloc(64, 0xab), 0, 64, 8);
    await file.close();
    const result = await refused(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the Raft store in ${raftDir} is damaged: ${walPath}: checksum mismatch`);
    expect(result.stderr).toContain(`move ${raftDir} aside`);
    const logged = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level?: unknown; file?: unknown });
    expect(logged.some((line) => (line.level === 'error' || line.level === 50) && line.file === walPath)).toBe(true);
  });

  it('a log entry deleted from the middle of the Raft log exits 2: the store is damaged, move it aside to rejoin from a peer', async () => {
    const { dataDir, args } = await storeWithEntries(3);
    const db = new Level<Buffer, Buffer>(join(dataDir, 'raft'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const entryTwo = Buffer.alloc(9);
    entryTwo[0] = 0x10;
    entryTwo.writeBigUInt64BE(2n, 1);
    expect(await db.get(entryTwo)).toBeDefined();
    await db.del(entryTwo);
    await db.close();
    const result = await refused(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the Raft store in ${join(dataDir, 'raft')} is damaged: entry 2 is missing`);
    expect(result.stderr).toContain(`move ${join(dataDir, 'raft')} aside`);
  });
});
