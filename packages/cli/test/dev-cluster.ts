/**
 * A real single-node cluster (runnel dev) in this process, on ephemeral
 * ports, with its data in a fresh temporary directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDev } from '../src/commands/dev.ts';

export interface TestCluster {
  port: number;
  bootstrap: string;
  /** Fetches parked in the broker waiting for data (from its /metrics). */
  parkedFetches(): Promise<number>;
  /** The broker's /metrics text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** `transactionPartitionVerification: false` for tests that hand-build transactions no coordinator knows. */
export async function startTestCluster(
  partitions = 1,
  options: { transactionPartitionVerification?: boolean } = {},
): Promise<TestCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'runnel-cli-test-'));
  const dev = await startDev({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    httpPort: 0,
    logLevel: 'silent',
    partitions,
    autoCreateTopics: true,
    transactionPartitionVerification: options.transactionPartitionVerification ?? true,
    flushMessages: Number.MAX_SAFE_INTEGER,
    // Groups join at once: no test waits out the 3 s a first join holds for more members.
    groupInitialRebalanceDelayMs: 0,
  });
  const port = dev.broker.port;
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    async parkedFetches() {
      const text = await (await fetch(`http://127.0.0.1:${dev.broker.httpPort}/metrics`)).text();
      return Number(/^kafka_server_delayedoperationpurgatory_purgatorysize (\d+)/m.exec(text)?.[1] ?? Number.NaN);
    },
    async metrics() {
      return (await fetch(`http://127.0.0.1:${dev.broker.httpPort}/metrics`)).text();
    },
    async stop() {
      await dev.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `condition` until it holds or the deadline passes. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${String(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
