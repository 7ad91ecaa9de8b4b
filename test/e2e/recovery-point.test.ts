/**
 * Issue 15: "a CRC-broken batch in the middle of a segment survives an
 * unclean restart and is served, while the log says a full recovery ran".
 * kill -9 of `runnel dev`, one byte flipped inside a batch in the middle of
 * the active segment (well before its last index entries), a restart: the
 * recovery checks every batch since the recovery point (the active
 * segment's base), cuts that batch and everything after it, and its log
 * line says what it checked and what it cut; consumers read exactly the
 * batches before it.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, encodeRecordBatchSync, type ProduceResponse } from '@runnel/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

const topic = 'mid-segment';
const batches = 120;
const damaged = 40;

let dev: DevProcess | undefined;

afterAll(async () => {
  await dev?.kill('SIGKILL');
});

/** Each batch's file position and base offset, from the length fields (the file is whole: nothing was torn). */
function batchPositions(log: Buffer): { position: number; baseOffset: bigint }[] {
  const out: { position: number; baseOffset: bigint }[] = [];
  for (let position = 0; position + 12 <= log.length; position += 12 + log.readInt32BE(position + 8)) {
    out.push({ position, baseOffset: log.readBigInt64BE(position) });
  }
  return out;
}

describe('recovery from the recovery point', () => {
  it('a CRC-broken batch mid-segment is cut with everything after it on the restart after kill -9, and the log line says so', async () => {
    dev = await DevProcess.start({ args: ['--no-gateway'] });
    const client = await ProtocolClient.connect(dev.port);
    expect(await client.createTopic(topic, 1)).toBe(ErrorCode.NONE);
    // One batch per request, 4 KiB each (over index.interval.bytes), with rising timestamps: index entries
    // all along the segment, written to disk every 64 (so a kill -9 leaves most of them).
    // Pipelined on one connection: handled, and so appended, in order.
    for (let i = 0; i < batches; i++) {
      const value = Buffer.from(`value-${String(i).padStart(4, '0')}-${'x'.repeat(4100)}`);
      const records = encodeRecordBatchSync({
        records: [{ key: null, value }],
        baseTimestamp: 1_700_000_000_000n + BigInt(i),
      });
      client.send(0, 9, {
        acks: 1,
        timeoutMs: 10_000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
      });
    }
    for (let i = 0; i < batches; i++) {
      const answer = (await client.next()).body as ProduceResponse;
      expect(answer.responses[0]?.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE });
    }
    client.close();
    await dev.kill('SIGKILL');

    const dir = join(dev.dataDir, 'broker-1', `${topic}-0`);
    expect((await readdir(dir)).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000000.log']);
    const path = join(dir, '00000000000000000000.log');
    const log = await readFile(path);
    const positions = batchPositions(log);
    expect(positions).toHaveLength(batches);
    const target = positions[damaged];
    if (target === undefined) throw new Error('no batch to damage');
    // A byte inside the records: the header still parses, only the CRC tells.
    log[target.position + 61 + 20] = (log[target.position + 61 + 20] ?? 0) ^ 0xff;
    await writeFile(path, log);
    const index = await readFile(join(dir, '00000000000000000000.index'));
    // The offset index vouches for batches past the damaged one: the old recovery trusted it and rescanned only the tail.
    expect(index.readInt32BE(index.length - 8)).toBeGreaterThan(Number(target.baseOffset));

    await dev.restart();
    const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic, format: '%s\n' });
    expect(read.code, read.stderr).toBe(0);
    const values = read.stdout
      .toString('utf8')
      .split('\n')
      .filter((v) => v !== '')
      .map((v) => v.slice(0, 10));
    expect(values).toEqual(Array.from({ length: damaged }, (_, i) => `value-${String(i).padStart(4, '0')}`));
    const opened = await dev.waitForLog(
      (l) => l.msg === 'opened partition log' && l.topic === topic,
      `opened partition log for ${topic}`,
    );
    expect(opened).toMatchObject({
      recoverySkipped: false,
      fullRecoveryReason: 'no_marker',
      recoveryPointOffset: '0',
      checkedSegments: 1,
      checkedFromOffset: '0',
      checkedBatches: damaged,
      checkedBytes: target.position,
      truncatedBytes: log.length - target.position,
      truncatedFromOffset: String(target.baseOffset),
      logEndOffset: String(target.baseOffset),
    });
    const recovered = await dev.waitForLog(
      (l) => l.msg === 'recovered partition log' && l.topic === topic,
      `recovered partition log for ${topic}`,
    );
    expect(recovered).toMatchObject({ defects: ['bad_crc'], truncatedFromOffset: String(target.baseOffset) });
  });
});
