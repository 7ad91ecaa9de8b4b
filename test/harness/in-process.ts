/**
 * A controller and a broker in this process on free ports with a temp data
 * directory, for tests that need to poke at broker internals or restart
 * quickly. Real sockets, real files.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, type BrokerConfig, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { Controller } from '@runnel/controller';

export interface InProcessCluster {
  broker: Broker;
  controller: Controller;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startInProcess(
  overrides: Partial<BrokerConfig> = {},
  dataDir?: string,
): Promise<InProcessCluster> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'runnel-inproc-')));
  const logger = silentLogger();
  const controller = await Controller.open({ dir: join(dir, 'controller'), logger });
  const broker = await Broker.start({
    config: {
      ...defaultBrokerConfig,
      port: 0,
      httpPort: 0,
      replicationPort: 0,
      dataDir: join(dir, 'broker-1'),
      ...overrides,
    },
    controller: controller.channel(),
    logger,
  });
  return {
    broker,
    controller,
    dataDir: dir,
    async stop() {
      await broker.stop();
      await controller.close();
    },
  };
}
