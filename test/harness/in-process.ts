/**
 * A combined node in this process: a one-voter controller quorum and a
 * broker reaching it over gRPC on loopback (what `runnel dev` runs), on free
 * ports with a temp data directory, for tests that need to poke at broker
 * internals or restart quickly. Real sockets, real files.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, type BrokerConfig, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { LocalQuorum } from '@runnel/controller';

export interface InProcessCluster {
  broker: Broker;
  quorum: LocalQuorum;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startInProcess(
  overrides: Partial<BrokerConfig> = {},
  dataDir?: string,
): Promise<InProcessCluster> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'runnel-inproc-')));
  const logger = silentLogger();
  const quorum = await LocalQuorum.start({ dataDir: join(dir, 'controller-1'), logger });
  let broker: Broker;
  try {
    broker = await Broker.start({
      config: {
        ...defaultBrokerConfig,
        port: 0,
        httpPort: 0,
        replicationPort: 0,
        dataDir: join(dir, 'broker-1'),
        ...overrides,
      },
      controller: quorum.channel().channel,
      logger,
    });
  } catch (error) {
    await quorum.stop();
    throw error;
  }
  return {
    broker,
    quorum,
    dataDir: dir,
    async stop() {
      await broker.stop();
      await quorum.stop();
    },
  };
}
