/**
 * Combined mode (Kafka's process.roles=broker,controller): a one-voter
 * controller quorum in the broker's process, reached over gRPC on loopback
 * exactly as a broker reaches a remote quorum. The same Raft log in
 * `level`, the same snapshots, the same code path as a 3-voter cluster;
 * only the number of voters differs. `runnel dev` and the in-process test
 * harness run it.
 *
 * Owned by whoever started it, which must stop() it after the brokers that
 * use its channels. The data directory holds the Raft store under `raft/`
 * and the node's identity file, like any controller's.
 */
import type { Logger } from '@runnel/common';
import { silentLogger } from '@runnel/common';
import type { ConfigMap } from '@runnel/metadata';
import { ControllerClient, GrpcControllerChannel } from '@runnel/rpc';
import type { ControllerConfig } from '../controller-config.ts';
import { controllerConfigDefaults } from '../controller-config.ts';
import type { TopicDefaults } from '../logic/create-topics.ts';
import type { QuorumObserver } from './quorum-controller.ts';
import { QuorumController } from './quorum-controller.ts';

export interface LocalQuorumOptions {
  readonly dataDir: string;
  readonly logger?: Logger;
  readonly brokerDefaults?: TopicDefaults;
  readonly brokerConfig?: ConfigMap;
  readonly observer?: QuorumObserver;
  /** Config beyond the voter set (timings, duty intervals); the node is always voter 1 on loopback. */
  readonly config?: Partial<Omit<ControllerConfig, 'nodeId' | 'voters' | 'dataDir' | 'listenHost'>>;
  readonly idGenerator?: () => string;
}

export class LocalQuorum {
  readonly controller: QuorumController;
  readonly #logger: Logger;
  readonly #clients = new Set<{ client: ControllerClient; channel: GrpcControllerChannel }>();

  private constructor(controller: QuorumController, logger: Logger) {
    this.controller = controller;
    this.#logger = logger;
  }

  static async start(options: LocalQuorumOptions): Promise<LocalQuorum> {
    const logger = options.logger ?? silentLogger();
    const controller = await QuorumController.start({
      config: {
        ...controllerConfigDefaults,
        httpPort: null,
        ...options.config,
        nodeId: 1,
        // Port 0: nobody else dials a sole voter, so any free loopback port will do.
        voters: [{ nodeId: 1, host: '127.0.0.1', port: 0 }],
        dataDir: options.dataDir,
        listenHost: '127.0.0.1',
      },
      servicePort: 0,
      logger,
      ...(options.brokerDefaults === undefined ? {} : { brokerDefaults: options.brokerDefaults }),
      ...(options.brokerConfig === undefined ? {} : { brokerConfig: options.brokerConfig }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
      ...(options.idGenerator === undefined ? {} : { idGenerator: options.idGenerator }),
    });
    return new LocalQuorum(controller, logger);
  }

  /** ControllerService address (host:port) on loopback. */
  get address(): string {
    return `127.0.0.1:${this.controller.servicePort}`;
  }

  /**
   * A ControllerChannel to this quorum for one broker (or tool); closed by
   * stop() unless closed earlier with the returned close().
   */
  channel(options: { logger?: Logger } = {}): { channel: GrpcControllerChannel; close(): void } {
    const logger = options.logger ?? this.#logger;
    const client = new ControllerClient({ addresses: [this.address], logger });
    const channel = new GrpcControllerChannel(client, { logger });
    const entry = { client, channel };
    this.#clients.add(entry);
    return {
      channel,
      close: () => {
        if (!this.#clients.delete(entry)) return;
        channel.close();
        client.close();
      },
    };
  }

  async stop(): Promise<void> {
    for (const { client, channel } of this.#clients) {
      channel.close();
      client.close();
    }
    this.#clients.clear();
    await this.controller.stop();
  }
}
