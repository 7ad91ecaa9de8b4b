/**
 * `runnel dev --controllers N --brokers M` passes every option to every
 * process it concerns: started with --no-auto-create-topics, every broker
 * of the multi-process cluster refuses to create a topic from Metadata and
 * reports auto.create.topics.enable=false; with --first-broker-id 0 the
 * brokers are nodes 0 and 1, as in the clusters Kafka clients' own test
 * suites expect. A real `runnel dev` process with its controller and
 * broker children.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const cliMain = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');
const unknownTopicOrPartition = 3;

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * A Kafka base port P whose derived ports are all free now (see
 * dev-cluster.ts: brokers P.., replication P+100.., Raft P+19999..,
 * services P+20099..), and an HTTP base H (brokers H.., controllers H+100..).
 */
async function freeBasePorts(brokers: number, controllers: number): Promise<{ kafka: number; http: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const kafka = 20_000 + Math.floor(Math.random() * 20_000);
    const http = 41_000 + Math.floor(Math.random() * 20_000);
    const wanted = [
      ...Array.from({ length: brokers }, (_, i) => [kafka + i, kafka + 100 + i, http + i]).flat(),
      ...Array.from({ length: controllers }, (_, i) => [kafka + 19_999 + i, kafka + 20_099 + i, http + 100 + i]).flat(),
    ];
    if ((await Promise.all(wanted.map(portFree))).every(Boolean)) return { kafka, http };
  }
  throw new Error('no free port range');
}

describe('runnel dev with several processes', () => {
  let dev: ChildProcess;
  let dataDir: string;
  let base: { kafka: number; http: number };
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'runnel-dev-cluster-'));
    base = await freeBasePorts(2, 1);
    dev = spawn(
      process.execPath,
      [
        cliMain,
        'dev',
        ...['--controllers', '1', '--brokers', '2', '--first-broker-id', '0', '--no-auto-create-topics'],
        ...['--port', String(base.kafka), '--http-port', String(base.http), '--data-dir', dataDir],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    dev.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    dev.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
  });

  afterAll(async () => {
    if (dev.exitCode === null && dev.signalCode === null) {
      const exited = new Promise((done) => dev.once('exit', done));
      dev.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('--no-auto-create-topics reaches every broker: none creates a topic from Metadata; brokers are nodes 0 and 1', async () => {
    for (const port of [base.kafka, base.kafka + 1]) {
      const answer = await waitFor(
        async () => {
          const client = await ProtocolClient.connect(port).catch(() => null);
          if (client === null) return undefined;
          try {
            const metadata = await client.request(3, 6, {
              topics: [{ name: 'auto-nope' }],
              allowAutoTopicCreation: true,
            });
            return metadata.brokers.length === 2 && metadata;
          } finally {
            client.close();
          }
        },
        { timeoutMs: 60_000, what: `broker on ${port} answering with both brokers (output so far: ${output})` },
      );
      expect(answer.topics).toMatchObject([{ name: 'auto-nope', errorCode: unknownTopicOrPartition }]);
      expect(answer.brokers.map((b) => [b.nodeId, b.port])).toEqual([
        [0, base.kafka],
        [1, base.kafka + 1],
      ]);
      const client = await ProtocolClient.connect(port);
      try {
        const configs = await client.request(32, 1, {
          resources: [{ resourceType: 4, resourceName: String(port - base.kafka), configurationKeys: null }],
          includeSynonyms: false,
        });
        const entries = configs.results[0]?.configs ?? [];
        expect(entries.find((c) => c.name === 'auto.create.topics.enable')?.value).toBe('false');
      } finally {
        client.close();
      }
    }
  });
});
