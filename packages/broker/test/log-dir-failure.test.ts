/**
 * Log-dir failure handling in the broker (log-dir-health.ts and
 * PartitionManager): a storage fault while appending answers
 * KAFKA_STORAGE_ERROR (never a thrown error, which would close the
 * connection), takes the directory offline (produce and fetch answer
 * KAFKA_STORAGE_ERROR), and a probe that finds it writable reopens the
 * logs with recovery, without a restart, keeping every acknowledged record.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import type { FetchRequest, FetchResponse, ProduceRequest, ProduceResponse } from '@runnel/protocol';
import { decodeRecordBatches, ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { FaultyFileSystem } from '@runnel/storage';
import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../src/config.ts';
import { fetchHandler } from '../src/handlers/fetch.ts';
import type { BrokerContext, RequestContext } from '../src/handlers/handler.ts';
import { produceHandler } from '../src/handlers/produce.ts';
import { isStorageFault } from '../src/log-dir-health.ts';
import { BrokerMetrics } from '../src/metrics.ts';
import { PartitionManager } from '../src/partition-manager.ts';
import { counterValue } from './handler-context.ts';

const topicId = '00000000-0000-4000-8000-0000000000cc';
const connection = { id: 1, remoteAddress: 'test' };
const produceContext = { header: { apiKey: 0, apiVersion: 9, correlationId: 1, clientId: 't' }, connection };
const fetchContext = { header: { apiKey: 1, apiVersion: 11, correlationId: 2, clientId: 't' }, connection };

function image(): MetadataImage {
  const records: MetadataRecord[] = [
    { type: 'topic', name: 'events', topicId },
    {
      type: 'partition',
      topicId,
      partition: 0,
      replicas: [1],
      isr: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
  ];
  return replayBatch(MetadataImage.empty, records, 1n);
}

async function setup() {
  const fs = new FaultyFileSystem();
  const clock = new ManualClock(1_700_000_000_000);
  const config = { ...defaultBrokerConfig, nodeId: 1, dataDir: '/data', logDirProbeIntervalMs: 3_600_000 };
  const changes: boolean[] = [];
  let metrics: BrokerMetrics | null = null;
  const manager = new PartitionManager({
    config,
    logger: silentLogger(),
    clock,
    fs,
    onLogDirChange: (offline) => changes.push(offline),
    onStorageFault: (code) => metrics?.storageErrors.inc({ code }),
  });
  metrics = new BrokerMetrics(
    {
      partitionCount: () => manager.count,
      segmentCount: () => 1,
      logSizeBytes: () => 0,
      connectionCount: () => 0,
      producerIdCount: () => 0,
      pooledFrames: () => ({ acquired: 0, reused: 0 }),
      offlineLogDirCount: () => manager.offlineLogDirCount,
    },
    { defaultMetrics: false },
  );
  const current = image();
  manager.apply(current);
  await manager.settled();
  const broker = { config, logger: silentLogger(), clock, metrics, partitions: manager, image: () => current };
  const context = broker as unknown as BrokerContext;
  return { fs, manager, metrics, changes, produce: produceHandler(context), fetch: fetchHandler(context) };
}

function produceRequest(value: string): ProduceRequest {
  const records = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from(value) }], baseTimestamp: 1n });
  return { acks: 1, timeoutMs: 5_000, topicData: [{ name: 'events', partitionData: [{ index: 0, records }] }] };
}

function fetchRequest(fetchOffset: bigint): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic: 'events', partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
  };
}

function produced(response: ProduceResponse | null) {
  const p = response?.responses[0]?.partitionResponses[0];
  if (p === undefined) throw new Error('no partition in the response');
  return p;
}

function fetched(response: FetchResponse | null) {
  const p = response?.responses[0]?.partitions[0];
  if (p === undefined) throw new Error('no partition in the response');
  return p;
}

async function values(response: FetchResponse | null): Promise<string[]> {
  const records = fetched(response).records;
  const bytes = Array.isArray(records) ? Buffer.concat(records as Buffer[]) : (records as Buffer);
  const batches = await decodeRecordBatches(bytes);
  return batches.flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
}

describe('isStorageFault', () => {
  it('errno codes are storage faults; Node codes, bugs and non-errors are not', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ENOSPC', 'EIO', 'EROFS', 'EDQUOT', 'EMFILE'])
      expect(isStorageFault(withCode(code))).toBe(true);
    for (const error of [withCode('ERR_ASSERTION'), new Error('bug'), 'ENOSPC', null, { code: 5 }]) {
      expect(isStorageFault(error)).toBe(false);
    }
  });
});

describe('log directory failure', () => {
  for (const code of ['ENOSPC', 'EIO'] as const) {
    it(`${code} while appending answers KAFKA_STORAGE_ERROR, takes the directory offline, and a successful probe brings the same partition back with every acknowledged record`, async () => {
      const s = await setup();
      for (const v of ['a', 'b', 'c']) {
        expect(produced(await s.produce.handle(produceRequest(v), produceContext as RequestContext)).errorCode).toBe(
          ErrorCode.NONE,
        );
      }
      s.fs.failNext('write', '.log', code);
      const failed = produced(await s.produce.handle(produceRequest('lost'), produceContext as RequestContext));
      expect(failed.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect(s.manager.logDirOffline).toBe(true);
      expect(s.changes).toEqual([true]);

      // Offline: produce and fetch of the hosted partition answer KAFKA_STORAGE_ERROR; nothing throws.
      const refused = produced(await s.produce.handle(produceRequest('d'), produceContext as RequestContext));
      expect(refused.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      const offlineFetch = await s.fetch.handle(fetchRequest(0n), fetchContext as RequestContext);
      expect(fetched(offlineFetch).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect(await counterValue(s.metrics.storageErrors)).toBe(1);
      expect(
        (await s.metrics.registry.getSingleMetricAsString('kafka_log_logmanager_offlinelogdirectorycount')).trim(),
      ).toMatch(/ 1$/);

      // Still not writable: the probe's own write fails, the directory stays offline.
      s.fs.failNext('write', '.runnel-log-dir-probe', code);
      expect(await s.manager.probeLogDir()).toBe(false);
      expect(s.manager.logDirOffline).toBe(true);

      expect(await s.manager.probeLogDir()).toBe(true);
      expect(s.manager.logDirOffline).toBe(false);
      expect(s.changes).toEqual([true, false]);
      const again = produced(await s.produce.handle(produceRequest('e'), produceContext as RequestContext));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
      const f = await s.fetch.handle(fetchRequest(0n), fetchContext as RequestContext);
      expect(await values(f)).toEqual(['a', 'b', 'c', 'e']);
      await s.manager.close();
    });
  }

  it('Produce v3 and Fetch v5, which predate KAFKA_STORAGE_ERROR, get NOT_LEADER_OR_FOLLOWER while the directory is offline', async () => {
    const s = await setup();
    s.fs.failNext('write', '.log', 'EIO');
    await s.produce.handle(produceRequest('lost'), produceContext as RequestContext);
    expect(s.manager.logDirOffline).toBe(true);
    const v3 = { ...produceContext, header: { ...produceContext.header, apiVersion: 3 } };
    expect(produced(await s.produce.handle(produceRequest('d'), v3 as RequestContext)).errorCode).toBe(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
    const v5 = { ...fetchContext, header: { ...fetchContext.header, apiVersion: 5 } };
    expect(fetched(await s.fetch.handle(fetchRequest(0n), v5 as RequestContext)).errorCode).toBe(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
    await s.manager.close();
  });

  it('a high-watermark checkpoint the disk cannot take takes the directory offline too, and a probe brings it back', async () => {
    const s = await setup();
    s.fs.failNext('write', 'replication-offset-checkpoint.tmp', 'ENOSPC');
    await expect(s.manager.saveCheckpoint()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(s.manager.logDirOffline).toBe(true);
    expect(produced(await s.produce.handle(produceRequest('d'), produceContext as RequestContext)).errorCode).toBe(
      ErrorCode.KAFKA_STORAGE_ERROR,
    );
    expect(await s.manager.probeLogDir()).toBe(true);
    await s.manager.close();
  });

  it('an error that is not a storage fault is still a bug: it is thrown, and the directory stays online', async () => {
    const s = await setup();
    expect(s.manager.storageFault(new Error('boom'), { topic: 'events', partition: 0 })).toBe(false);
    expect(s.manager.logDirOffline).toBe(false);
    await s.manager.close();
  });
});
