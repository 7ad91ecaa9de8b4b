/**
 * The broker under test: `runnel dev` as its own process, optionally under
 * `node --cpu-prof`, and the topics the bench writes to, auto-created by
 * Metadata requests (dev's --partitions sets num.partitions for them), or
 * created with a partition count and replication factor of their own.
 */

import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaClient } from '@runnel/client';
import { asResponse, decodeResponseFrame, ErrorCode, encodeRequestFrame, type MetadataRequest } from '@runnel/protocol';
import { serverNodeFlags } from '../../packages/cli/src/server-node-flags.ts';
import { jsonField, NodeChild } from './child-process.ts';
import type { Target } from './load-generator.ts';
import { WireConnection } from './wire-connection.ts';

const cliMain = resolve(import.meta.dirname, '../../packages/cli/src/main.ts');
const METADATA_VERSION = 6;
const topicReadyTimeoutMs = 30_000;
const topicPollMs = 100;
/** Creating a topic of 1,000 RF=3 partitions takes a while on a busy machine. */
const createTimeoutMs = 180_000;

export interface BrokerOptions {
  dataDir: string;
  partitions: number;
  logPath: string;
  /** Where `--cpu-prof` writes its .cpuprofile on exit; null runs without the profiler. */
  cpuProfileDir: string | null;
  /** Flags for the broker's node; default the servers' own (packages/cli/src/server-node-flags.ts). */
  nodeFlags?: readonly string[];
}

/** Starts `runnel dev`; `ready` is the Kafka port it bound. */
export function startBroker(options: BrokerOptions): Promise<NodeChild<number>> {
  const profile = options.cpuProfileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  const args = [
    ...(options.nodeFlags ?? serverNodeFlags),
    ...profile,
    cliMain,
    'dev',
    '--data-dir',
    options.dataDir,
    '--port',
    '0',
    '--http-port',
    '0',
    // The broker alone is measured.
    '--no-gateway',
    '--partitions',
    String(options.partitions),
    '--log-level',
    'info',
  ];
  return NodeChild.start(args, {
    logPath: options.logPath,
    timeoutMs: 60_000,
    isReady: (line) => {
      if (jsonField(line, 'msg') !== 'broker started') return undefined;
      const port = jsonField(line, 'port');
      return typeof port === 'number' ? port : undefined;
    },
  });
}

/** Asks for `topics` until each exists with `partitions` led partitions (auto-creating them). */
export async function ensureTopics(target: Target, topics: readonly string[], partitions: number): Promise<void> {
  const connection = await WireConnection.open(target.host, target.port);
  const request: MetadataRequest = { topics: topics.map((name) => ({ name })), allowAutoTopicCreation: true };
  const frame = encodeRequestFrame(
    { apiKey: 3, apiVersion: METADATA_VERSION, correlationId: 0, clientId: 'runnel-bench' },
    request,
  );
  const deadline = Date.now() + topicReadyTimeoutMs;
  try {
    for (;;) {
      const response = asResponse(3, decodeResponseFrame(3, METADATA_VERSION, await connection.send(frame)).body);
      const ready = topics.every((name) => {
        const t = response.topics.find((x) => x.name === name);
        return (
          t !== undefined &&
          t.errorCode === ErrorCode.NONE &&
          t.partitions.length === partitions &&
          t.partitions.every((p) => p.errorCode === ErrorCode.NONE && p.leaderId >= 0)
        );
      });
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`topics ${topics.join(', ')} not ready after ${topicReadyTimeoutMs} ms`);
      await sleep(topicPollMs);
    }
  } finally {
    connection.close();
  }
}

/** Creates `topic` (RF > 1: min.insync.replicas 2) and waits until every partition has a leader and a full ISR. */
export async function createTopicAndWait(
  bootstrap: string,
  topic: string,
  partitions: number,
  rf: number,
): Promise<void> {
  const client = await KafkaClient.connect({ bootstrap, clientId: 'runnel-bench' });
  try {
    const configs: Record<string, string> = rf > 1 ? { 'min.insync.replicas': '2' } : {};
    const [created] = await client.createTopics(
      [{ name: topic, numPartitions: partitions, replicationFactor: rf, configs }],
      { timeoutMs: createTimeoutMs },
    );
    if (created === undefined || created.errorCode !== 0) throw new Error(`create ${topic}: ${created?.errorName}`);
    const deadline = performance.now() + createTimeoutMs;
    for (;;) {
      const t = (await client.metadata([topic])).topics.find((x) => x.name === topic);
      const full =
        t !== undefined &&
        t.partitions.length === partitions &&
        t.partitions.every((p) => p.errorCode === 0 && p.leader >= 0 && p.isr.length === rf);
      if (full) return;
      if (performance.now() > deadline) throw new Error(`${topic}: not fully led after ${createTimeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    client.close();
  }
}

/** Deletes `topic` (its logs go with it). */
export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const client = await KafkaClient.connect({ bootstrap, clientId: 'runnel-bench' });
  try {
    const [deleted] = await client.deleteTopics([topic]);
    if (deleted === undefined || deleted.errorCode !== 0) throw new Error(`delete ${topic}: ${deleted?.errorName}`);
  } finally {
    client.close();
  }
}

export function brokerLogPath(workDir: string, phase: string): string {
  return join(workDir, `broker-${phase}.log`);
}
