/**
 * The gateway's connection to the cluster: a KafkaClient opened with
 * retries until a broker answers Metadata, because a gateway is usually
 * started alongside the cluster (compose, Helm, `runnel dev`) and must wait
 * for it rather than exit. Readiness is "the cluster answers Metadata":
 * once connected, one small Metadata request (no topics) every
 * `probeIntervalMs` checks it still does; a probe that fails, or is not
 * answered within `probeTimeoutMs` (a hung broker keeps its socket open),
 * makes the gateway not ready until a later one is answered.
 * `notReadyReason` says what the last attempt or probe hit, which /readyz
 * shows. Owned by Gateway; stop() ends the loops and closes the client.
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
  /** Time between readiness probes once connected. Default 1000. */
  probeIntervalMs?: number;
  /** A probe not answered within this is a cluster not answering. Default 3000. */
  probeTimeoutMs?: number;
}

export class ClusterLink {
  readonly #options: ClusterLinkOptions;
  #client: KafkaClient | null = null;
  #notReadyReason: string;
  readonly #stop = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #onReady: ((client: KafkaClient) => void)[] = [];
  #clusterId: string | null = null;
  /** Why the last probe failed; null while the connected cluster answers. */
  #probeFailure: string | null = null;

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

  /** The cluster id from the first Metadata answer (v2+ carries it); null before, or from an older broker. */
  get clusterId(): string | null {
    return this.#clusterId;
  }

  get ready(): boolean {
    return this.#client !== null && this.#probeFailure === null;
  }

  /** Why the gateway is not ready (null while it is). */
  get notReadyReason(): string | null {
    if (this.#client === null) return this.#notReadyReason;
    return this.#probeFailure;
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
        await this.#probeUntilStopped(outcome);
        return;
      }
      this.#notReadyReason = `cluster at ${bootstrap} not answering: ${outcome}`;
      // One line on the first failure, then quiet: a gateway waiting for its cluster is normal at startup.
      if (attempts === 1) logger.warn({ bootstrap, reason: outcome }, 'cluster not reachable yet; retrying');
      await backoff.wait(stopped);
    }
  }

  /** Asks Metadata every interval until stopped, keeping `#probeFailure` up to date. */
  async #probeUntilStopped(client: KafkaClient): Promise<void> {
    const { bootstrap, logger } = this.#options;
    const intervalMs = this.#options.probeIntervalMs ?? 1_000;
    const timeoutMs = this.#options.probeTimeoutMs ?? 3_000;
    const stopped = this.#stop.signal;
    const pace = new Backoff(intervalMs, intervalMs);
    // One listener for the whole loop (one per probe would pile up on the signal).
    const aborted = new Promise<'stopped'>((resolve) => {
      stopped.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    while (!stopped.aborted) {
      await pace.wait(stopped);
      if (stopped.aborted) return;
      const probe = client.metadata([], { allowAutoTopicCreation: false }).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no Metadata answer within ${timeoutMs} ms`), timeoutMs);
      });
      let failure = await Promise.race([probe, late]);
      clearTimeout(timer);
      if (failure !== null) this.#setProbeFailure(`cluster at ${bootstrap} not answering: ${failure}`);
      // A late probe is still awaited: the cluster is ready again as soon as it answers, not one interval later.
      // ... unless the link stops meanwhile: stop() must not wait out a hung broker's request timeout.
      const settled = await Promise.race([probe, aborted]);
      if (settled === 'stopped' || stopped.aborted) return;
      failure = settled;
      if (failure === null && this.#probeFailure !== null) {
        logger.info({ bootstrap }, 'cluster answering metadata again');
        this.#probeFailure = null;
      } else if (failure !== null) {
        this.#setProbeFailure(`cluster at ${bootstrap} not answering: ${failure}`);
      }
    }
  }

  #setProbeFailure(reason: string): void {
    if (this.#probeFailure === null) this.#options.logger.warn({ reason }, 'cluster stopped answering; not ready');
    this.#probeFailure = reason;
  }

  /** A connected client that has answered Metadata, or why not. */
  async #attempt(bootstrap: string): Promise<KafkaClient | string> {
    let client: KafkaClient | null = null;
    try {
      client = await KafkaClient.connect({ bootstrap, clientId: 'runnel-gateway', requestTimeoutMs: 10_000 });
      const metadata = await client.metadata([], { allowAutoTopicCreation: false });
      // Kept once: a cluster's id never changes while the gateway runs against it.
      this.#clusterId = metadata.clusterId;
      return client;
    } catch (error) {
      client?.close();
      if (error instanceof ConnectionError || error instanceof KafkaError) return error.message;
      throw error;
    }
  }
}
