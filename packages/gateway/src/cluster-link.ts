/**
 * The gateway's connection to the cluster: a KafkaClient opened with
 * retries until a broker answers Metadata, because a gateway is usually
 * started alongside the cluster (compose, Helm, `runnel dev`) and must wait
 * for it rather than exit. Readiness is "the cluster has answered
 * Metadata"; until then `notReadyReason` says what the last attempt hit,
 * which /readyz shows. Owned by Gateway; stop() ends the retry loop and
 * closes the client.
 */

import { ConnectionError, KafkaClient, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { Backoff } from './backoff.ts';

export interface ClusterLinkOptions {
  bootstrap: string;
  logger: Logger;
  /** First wait between attempts; doubles up to retryBackoffMsMax. */
  retryBackoffMs?: number;
  retryBackoffMsMax?: number;
}

export class ClusterLink {
  readonly #options: ClusterLinkOptions;
  #client: KafkaClient | null = null;
  #notReadyReason: string;
  readonly #stop = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #onReady: ((client: KafkaClient) => void)[] = [];

  constructor(options: ClusterLinkOptions) {
    this.#options = options;
    // Named from the start: /readyz may be asked before the first attempt has failed.
    this.#notReadyReason = `connecting to the cluster at ${options.bootstrap}`;
  }

  /** Starts connecting in the background; the gateway serves (not ready) meanwhile. */
  start(): void {
    this.#loop = this.#connectUntilAnswered();
  }

  /** The client once the cluster has answered; null before. Owned by this link: callers must not close it. */
  get client(): KafkaClient | null {
    return this.#client;
  }

  /** Calls `listener` once the cluster has answered (at once if it already has); never if the link stops first. */
  onReady(listener: (client: KafkaClient) => void): void {
    if (this.#client !== null) listener(this.#client);
    else this.#onReady.push(listener);
  }

  get ready(): boolean {
    return this.#client !== null;
  }

  /** Why the gateway is not ready yet (null once it is). */
  get notReadyReason(): string | null {
    return this.ready ? null : this.#notReadyReason;
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#client?.close();
    this.#client = null;
  }

  async #connectUntilAnswered(): Promise<void> {
    const { bootstrap, logger } = this.#options;
    const backoff = new Backoff(this.#options.retryBackoffMs ?? 100, this.#options.retryBackoffMsMax ?? 2_000);
    const stopped = this.#stop.signal;
    let attempts = 0;
    while (!stopped.aborted) {
      attempts += 1;
      const outcome = await this.#attempt(bootstrap);
      if (stopped.aborted) {
        if (outcome instanceof KafkaClient) outcome.close();
        return;
      }
      if (outcome instanceof KafkaClient) {
        this.#client = outcome;
        logger.info({ bootstrap, attempts }, 'cluster answered metadata');
        for (const listener of this.#onReady) listener(outcome);
        this.#onReady = [];
        return;
      }
      this.#notReadyReason = `cluster at ${bootstrap} not answering: ${outcome}`;
      // One line on the first failure, then quiet: a gateway waiting for its cluster is normal at startup.
      if (attempts === 1) logger.warn({ bootstrap, reason: outcome }, 'cluster not reachable yet; retrying');
      await backoff.wait(stopped);
    }
  }

  /** A connected client that has answered Metadata, or why not. */
  async #attempt(bootstrap: string): Promise<KafkaClient | string> {
    let client: KafkaClient | null = null;
    try {
      client = await KafkaClient.connect({ bootstrap, clientId: 'runnel-gateway', requestTimeoutMs: 10_000 });
      await client.metadata([], { allowAutoTopicCreation: false });
      return client;
    } catch (error) {
      client?.close();
      if (error instanceof ConnectionError || error instanceof KafkaError) return error.message;
      throw error;
    }
  }
}
