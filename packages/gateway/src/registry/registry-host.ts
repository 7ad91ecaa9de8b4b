/**
 * Where the routes get the registry from: the store is opened once the
 * cluster has answered (ClusterLink), and the registry serves once the
 * store has read `_schemas` to its end, so no answer is given from a state
 * older than the topic was at startup. A request that arrives before then
 * waits for it, up to `waitMs`, then answers 50002.
 */
import type { KafkaClient } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { Backoff } from '../backoff.ts';
import { registryErrors } from './registry-error.ts';
import { RegistryService } from './registry-service.ts';
import { SchemaStore } from './store.ts';

export class RegistryHost {
  readonly #logger: Logger;
  readonly #waitMs: number;
  #store: SchemaStore | null = null;
  #service: RegistryService | null = null;
  #waiters: ((service: RegistryService) => void)[] = [];
  #failure: string | null = null;
  readonly #stop = new AbortController();

  constructor(options: { logger: Logger; waitMs?: number }) {
    this.#logger = options.logger;
    this.#waitMs = options.waitMs ?? 30_000;
  }

  /**
   * Opens the store over a connected client (owned by the caller) and serves once it has caught up. Opening is
   * retried (a cluster that just answered may not accept topic creation yet) until it succeeds or stop() is called.
   */
  async open(client: KafkaClient, bootstrap: string): Promise<void> {
    const backoff = new Backoff(100, 2_000);
    const stopped = this.#stop.signal;
    let store: SchemaStore | null = null;
    while (store === null && !stopped.aborted) {
      const candidate = new SchemaStore({ client, bootstrap, logger: this.#logger });
      this.#store = candidate;
      try {
        await candidate.start();
        store = candidate;
      } catch (error) {
        await candidate.stop();
        if (this.#failure === null) this.#logger.warn({ err: error }, 'opening the schemas topic failed; retrying');
        this.#failure = `schemas topic not readable: ${(error as Error).message}`;
        await backoff.wait(stopped);
      }
    }
    if (store === null || stopped.aborted) return;
    await store.caughtUp();
    const service = new RegistryService(store);
    this.#service = service;
    for (const resolve of this.#waiters) resolve(service);
    this.#waiters = [];
  }

  /** Why the registry cannot answer yet, or null once it can. */
  get notReadyReason(): string | null {
    if (this.#service !== null) return null;
    return this.#failure ?? 'reading the schemas topic';
  }

  service(): Promise<RegistryService> {
    if (this.#service !== null) return Promise.resolve(this.#service);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        reject(registryErrors.timeout(this.notReadyReason ?? 'registry starting'));
      }, this.#waitMs);
      const done = (service: RegistryService): void => {
        clearTimeout(timer);
        resolve(service);
      };
      this.#waiters.push(done);
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#store?.stop();
  }
}
