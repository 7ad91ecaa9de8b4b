/**
 * `runnel dev` runs the only controller: damage to its Raft store cannot be
 * repaired from a peer. 64 bad bytes in the store's write-ahead log make the
 * next start exit 2 naming the file (where LevelDB alone would have opened
 * an older metadata log, topics and __consumer_offsets gone); with the store
 * moved aside as for a quorum voter, it still refuses, saying the metadata
 * is lost unless restored from a backup.
 */
import { open, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { runnel } from '../harness/runnel-cli.ts';

describe('runnel dev with a damaged controller store', () => {
  it('refuses to start naming the damaged log file, and after the store is moved aside says the metadata is lost unless restored', async () => {
    const dev = await DevProcess.start({ args: ['--no-gateway'] });
    const admin = new Kafka({ brokers: [dev.bootstrap], clientId: 'dev-store', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    for (let i = 0; i < 20; i++) expect(await admin.createTopics({ topics: [{ topic: `t-${i}` }] })).toBe(true);
    await admin.disconnect();
    expect(await dev.kill('SIGTERM')).toBe(0);

    const raftDir = join(dev.dataDir, 'controller-1', 'raft');
    const name = (await readdir(raftDir)).find((n) => n.endsWith('.log'));
    if (name === undefined) throw new Error(`no write-ahead log in ${raftDir}`);
    const wal = join(raftDir, name);
    const { size } = await stat(wal);
    expect(size).toBeGreaterThan(1000);
    const file = await open(wal, 'r+');
    await file.write(Buffer.alloc(64, 0xab), 0, 64, Math.floor(size / 2));
    await file.close();

    const args = ['dev', '--data-dir', dev.dataDir, '--port', '0', '--http-port', '0', '--no-gateway'];
    const refused = await runnel(args, undefined, 60_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the Raft store in ${raftDir} is damaged: ${wal}: checksum mismatch`);
    expect(refused.stderr).toContain('With a single controller (runnel dev)');

    await rename(raftDir, `${raftDir}.damaged`);
    const lost = await runnel(args, undefined, 60_000);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toContain('this controller is the only voter');
    expect(lost.stderr).toContain('is lost unless you restore that directory from a backup');
  });
});
