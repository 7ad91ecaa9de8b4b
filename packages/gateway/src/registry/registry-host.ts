/**
 * Where the routes get the registry from: the store is opened once the
 * cluster has answered (ClusterLink), and the registry serves once the
 * store has read `_schemas` to its end, so no answer is given from a state
 * older than the topic was at startup. A request that arrives before then
 * waits for it, up to `waitMs`, then answers 50002.
 *
 * Once serving, the gateway joins the writer election (writer-election.ts)
 * and tells the store whether it is the writer; `writeTarget` tells the
 * routes whether a write runs here or is forwarded, and to where.
 */
import type { KafkaClient } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { Backoff } from '../backoff.ts';
import type { RegistryCounters, RegistryStats } from '../gateway-metrics.ts';
import { registryErrors } from './registry-error.ts';
import { RegistryService } from './registry-service.ts';
import { SchemaStore, schemasTopic } from './store.ts';
import { type MemberIdentity, WriterElection, type WriterRole } from './writer-election.ts';

export interface RegistryHostOptions {
  logger: Logger;
  /** How long a request waits for the registry to serve, or for a writer to be elected. Default 30 s. */
  waitMs?: number;
  /** The registry's topic. Default `_schemas`. */
  topic?: string;
  /** The registry's counters (forwarded writes, appends); none in tests that do not look. */
  counters?: RegistryCounters;
  /** Whether this gateway may be elected writer. Default true. */
  writerEligible?: boolean;
  /** The writer group's session timeout: how long a killed writer goes unnoticed. Default 10 s. */
  electionSessionTimeoutMs?: number;
  /** The Kafka cluster's id (from its Metadata answer), null while unknown: `GET /v1/metadata/id` answers it. */
  kafkaClusterId?: () => string | null;
}

export class RegistryHost {
  readonly #logger: Logger;
  readonly #waitMs: number;
  #store: SchemaStore | null = null;
  #service: RegistryService | null = null;
  #waiters: ((service: RegistryService) => void)[] = [];
  #failure: string | null = null;
  readonly #stop = new AbortController();
  readonly #writerEligible: boolean;
  readonly #topic: string | undefined;
  readonly #counters: RegistryCounters;
  readonly #sessionTimeoutMs: number | undefined;
  #election: WriterElection | null = null;
  #role: WriterRole = { kind: 'electing' };
  #roleWaiters: (() => void)[] = [];
  readonly #kafkaClusterId: () => string | null;

  constructor(options: RegistryHostOptions) {
    this.#logger = options.logger;
    this.#waitMs = options.waitMs ?? 30_000;
    this.#writerEligible = options.writerEligible ?? true;
    this.#topic = options.topic;
    this.#counters = options.counters ?? { forwarded: () => {}, appended: () => {} };
    this.#sessionTimeoutMs = options.electionSessionTimeoutMs;
    this.#kafkaClusterId = options.kafkaClusterId ?? (() => null);
  }

  /**
   * What `GET /v1/metadata/id` names: the Kafka cluster, and this registry
   * cluster as its writer group (Confluent names it by its
   * `schema.registry.group.id`; the gateways of one registry share the group).
   */
  get clusterIds(): { kafka: string | null; registry: string } {
    return { kafka: this.#kafkaClusterId(), registry: `runnel-registry.${this.#topic ?? schemasTopic}` };
  }

  /**
   * Opens the store over a connected client (owned by the caller), serves once it has caught up, then joins the
   * writer election as `advertisedUrl` (where other gateways forward writes). Opening is retried (a cluster that
   * just answered may not accept topic creation yet) until it succeeds or stop() is called.
   */
  async open(client: KafkaClient, bootstrap: string, advertisedUrl: string): Promise<void> {
    const backoff = new Backoff(100, 2_000);
    const stopped = this.#stop.signal;
    let store: SchemaStore | null = null;
    while (store === null && !stopped.aborted) {
      const candidate = new SchemaStore({
        client,
        bootstrap,
        logger: this.#logger,
        onAppend: this.#counters.appended,
        ...(this.#topic === undefined ? {} : { topic: this.#topic }),
      });
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
    await this.#joinElection(store, bootstrap, { url: advertisedUrl, eligible: this.#writerEligible });
  }

  async #joinElection(store: SchemaStore, bootstrap: string, identity: MemberIdentity): Promise<void> {
    const backoff = new Backoff(100, 2_000);
    while (!this.#stop.signal.aborted) {
      const election = new WriterElection({
        bootstrap,
        groupId: `runnel-registry.${store.topic}`,
        identity,
        logger: this.#logger,
        ...(this.#sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: this.#sessionTimeoutMs }),
        onRole: (role) => {
          this.#role = role;
          store.setWriter(role.kind === 'writer');
          for (const resolve of this.#roleWaiters) resolve();
          this.#roleWaiters = [];
        },
      });
      try {
        await election.start();
        this.#election = election;
        // stop() may have run while the election connected; it saw no election to stop.
        if (this.#stop.signal.aborted) await election.stop();
        return;
      } catch (error) {
        this.#logger.warn({ err: error }, 'joining the registry writer election failed; retrying');
        await backoff.wait(this.#stop.signal);
      }
    }
  }

  /**
   * Where a write goes: 'local' when this gateway is the writer, else the
   * writer's URL. While an election runs (or while the writer is `avoid`, a
   * URL that just refused a connection) it waits for the next verdict, up to
   * `waitMs`; 50004 when no gateway may write. A request already forwarded
   * once is never forwarded again (two gateways briefly naming each other
   * would bounce it).
   */
  async writeTarget(forwarded: boolean, avoid: string | null = null): Promise<'local' | string> {
    await this.service();
    const deadline = Date.now() + this.#waitMs;
    const waiting = (): boolean =>
      this.#role.kind === 'electing' || (this.#role.kind === 'forward' && this.#role.url === avoid);
    while (waiting() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deadline - Date.now());
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#roleWaiters.push(done);
      });
    }
    const role = this.#role;
    if (role.kind === 'writer') return 'local';
    if (role.kind === 'forward' && role.url === avoid)
      throw registryErrors.forwardingFailed(`${avoid} is not answering`);
    if (role.kind === 'forward' && !forwarded) return role.url;
    if (role.kind === 'forward') {
      throw registryErrors.forwardingFailed(`this gateway is not the writer either (${role.url} is)`);
    }
    throw registryErrors.unknownLeader();
  }

  /** Counts a write this gateway forwarded to the writer. */
  forwarded(): void {
    this.#counters.forwarded();
  }

  /** The registry's counts for the metrics gauges; null until it serves. */
  stats(): RegistryStats | null {
    const store = this.#store;
    if (this.#service === null || store === null) return null;
    return { writer: store.isWriter, schemas: store.state.ids.size, subjects: store.state.subjects.size };
  }

  /** A read barrier: resolves once this gateway's state holds every write acknowledged before the call. */
  async sync(): Promise<void> {
    await this.service();
    await this.#store?.sync();
  }

  /** Whether the state holds schema `id` (ids never change, so reading one needs no barrier). */
  hasSchemaId(id: number): boolean {
    return this.#store?.state.ids.has(id) ?? false;
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
    // Leaving the group first lets another gateway take writes over at once instead of after a session.
    await this.#election?.stop();
    await this.#store?.stop();
  }
}
