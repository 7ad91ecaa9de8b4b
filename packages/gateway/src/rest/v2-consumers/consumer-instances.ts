/**
 * The v2 consumer instances of one gateway, and the routing that lets any
 * gateway serve any instance. Every definition lives in the instances topic
 * (instance-store.ts), which every gateway reads; the instances this gateway
 * owns are held here with their live state (consumer-instance.ts). A request
 * for an instance passes a read barrier, then ownership.ts decides: serve it
 * here, forward it to the owner (its answer passed back unchanged), or take
 * the instance over when the owner does not answer (record this gateway as
 * owner, rejoin the group as the same static member, resume from the
 * committed offsets). An owner that sees another gateway recorded as owner,
 * or its definition deleted, lets its copy go without leaving the group.
 *
 * Limits: `consumerInstancesMax` held per gateway (429 beyond), idle
 * instances expire after `consumerInstanceTimeoutMs` (leave the group,
 * delete the definition), and definitions nobody touched for twice that are
 * deleted by whichever gateway notices. Owned by the v2 consumer routes;
 * `stop` (the gateway's onStop) closes every held instance.
 */
import { ConnectionError, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes, v2ContentType } from '../rest-error.ts';
import { ConsumerInstance } from './consumer-instance.ts';
import type { CreateRequest } from './create-request.ts';
import { forward, forwardedHeader } from './forward.ts';
import { type InstanceDefinition, type InstanceTarget, instanceKey } from './instance-definition.ts';
import { InstanceStore } from './instance-store.ts';
import { abandoned, afterForwardFailure, decideRoute, idleExpired, type Route, touchDue } from './ownership.ts';

export class ConsumerInstances {
  readonly #context: RestContext;
  readonly #logger: Logger;
  readonly #store: InstanceStore;
  readonly #held = new Map<string, ConsumerInstance>();
  /** Instances being opened (created or taken over): concurrent requests share the one opening. */
  readonly #opening = new Map<string, Promise<ConsumerInstance>>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** A sweep still running when the timer fires again is not doubled. */
  #sweeping = false;

  constructor(context: RestContext) {
    this.#context = context;
    this.#logger = context.logger.child({ area: 'v2-consumers' });
    this.#store = new InstanceStore(this.#logger);
    this.#store.onChange((key, definition) => this.#changed(key, definition));
    context.metrics.watchConsumerInstances(() => this.#held.size);
    const sweepMs = Math.max(100, Math.min(5_000, Math.floor(context.limits.consumerInstanceTimeoutMs / 4)));
    this.#timer = setInterval(() => void this.#sweep(), sweepMs);
    this.#timer.unref();
    context.onStop(() => this.stop());
  }

  get self(): string {
    return this.#context.advertisedUrl;
  }

  async create(group: string, request: Extract<CreateRequest, { ok: true }>): Promise<InstanceDefinition> {
    await this.#sync();
    const key = instanceKey(group, request.name);
    if (this.#store.get(group, request.name) !== null || this.#opening.has(key)) {
      throw new RestError(
        restErrorCodes.consumerInstanceExists,
        'Consumer with specified consumer ID already exists in the specified consumer group.',
      );
    }
    this.#checkRoom();
    const definition: InstanceDefinition = {
      group,
      name: request.name,
      format: request.format,
      config: request.config,
      target: { kind: 'none' },
      owner: this.self,
      touchedMs: Date.now(),
      idleTimeoutMs: this.#context.limits.consumerInstanceTimeoutMs,
    };
    try {
      await this.#open(key, async () => {
        await this.#store.write(group, request.name, definition);
        return definition;
      });
    } catch (error) {
      // Not opened: the definition must not outlive the failed request (another gateway would take it over).
      await this.#store.write(group, request.name, null).catch(() => undefined);
      throw error;
    }
    return definition;
  }

  /**
   * Runs `operation` on the instance where it lives: here, or on its owner (the owner's answer is sent back as
   * is, and `operation` does not run here). Resolves with the operation's result, or undefined when forwarded.
   */
  async serve<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { group: string; instance: string },
    operation: (instance: ConsumerInstance) => Promise<T>,
    waitMs = 0,
  ): Promise<{ forwarded: true } | { forwarded: false; value: T }> {
    const { group, instance: name } = params;
    const key = instanceKey(group, name);
    await this.#sync();
    let route: Route = decideRoute({
      held: this.#held.has(key),
      definition: this.#store.get(group, name),
      self: this.self,
      forwarded: request.headers[forwardedHeader] !== undefined,
    });
    if (route.action === 'forward') {
      const answer = await forward({
        method: request.method,
        base: route.to,
        url: request.url,
        contentType: request.headers['content-type'],
        accept: request.headers.accept,
        body: request.body,
        timeoutMs: waitMs + this.#context.limits.consumerOwnerTimeoutMs,
      });
      if (answer.ok) {
        if (answer.contentType !== undefined) reply.header('content-type', answer.contentType);
        if (answer.contentLength !== undefined) reply.header('content-length', answer.contentLength);
        await reply.code(answer.status).send(answer.body);
        return { forwarded: true };
      }
      this.#logger.warn({ group, instance: name, owner: route.to, reason: answer.message }, 'owner did not answer');
      route = afterForwardFailure(answer.failure);
    }
    if (route.action === 'not_found') {
      throw new RestError(restErrorCodes.consumerInstanceNotFound, 'Consumer instance not found.');
    }
    if (route.action === 'moved') {
      throw new RestError(restErrorCodes.kafkaRetriableError, `the consumer instance moved to ${route.to}; retry`);
    }
    const instance = route.action === 'serve' ? this.#held.get(key) : await this.#takeOver(group, name);
    if (instance === undefined)
      throw new RestError(restErrorCodes.consumerInstanceNotFound, 'Consumer instance not found.');
    const value = await instance
      .exclusive(() => operation(instance))
      .catch((error: unknown) => {
        throw restErrorOf(error);
      });
    this.#touch(instance);
    return { forwarded: false, value };
  }

  /** Stores a new target, then applies it (a subscription joins the group, an assignment takes its partitions). */
  async retarget(instance: ConsumerInstance, target: InstanceTarget): Promise<void> {
    const definition = { ...instance.definition, target, touchedMs: Date.now() };
    await this.#store.write(definition.group, definition.name, definition);
    await instance.retarget(definition);
  }

  /** Deletes the instance: it leaves its group, and its definition is removed. */
  async delete(instance: ConsumerInstance): Promise<void> {
    const { group, name } = instance.definition;
    this.#held.delete(instanceKey(group, name));
    await instance.close({ leave: true });
    await this.#store.write(group, name, null);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    const held = [...this.#held.values()];
    this.#held.clear();
    await Promise.all(held.map((instance) => instance.close({ leave: true }).catch(() => undefined)));
    await this.#store.stop();
  }

  /**
   * The read barrier, opening the instances topic on first use: a cluster whose REST users never create a
   * consumer instance gets no topic, and a gateway that never serves one does not tail it.
   */
  async #sync(): Promise<void> {
    const client = this.#context.client();
    await this.#store.start(client, () =>
      this.#context.connectClient({ clientId: 'runnel-gateway-rest-consumers-reader' }),
    );
    await this.#store.sync();
  }

  #checkRoom(): void {
    if (this.#held.size + this.#opening.size >= this.#context.limits.consumerInstancesMax) {
      throw new RestError(
        restErrorCodes.tooManyConsumerInstances,
        `this gateway holds ${this.#context.limits.consumerInstancesMax} consumer instances, its limit`,
      );
    }
  }

  /** Opens an instance once `record` has stored its definition; shared by concurrent callers. */
  #open(key: string, record: () => Promise<InstanceDefinition>): Promise<ConsumerInstance> {
    const pending = this.#opening.get(key);
    if (pending !== undefined) return pending;
    const opening = (async () => {
      const definition = await record();
      const instance = await ConsumerInstance.open(definition, this.#context, { onFenced: (i) => this.#fenced(i) });
      if (this.#stopped) {
        await instance.close({ leave: true });
        throw new RestError(restErrorCodes.kafkaUnavailable, 'the gateway is stopping');
      }
      // Another gateway recorded itself as owner while this one opened: its claim is later, so it wins.
      const now = this.#store.get(definition.group, definition.name);
      if (now === null || now.owner !== this.self) {
        await instance.close({ leave: false });
        throw new RestError(restErrorCodes.kafkaRetriableError, 'the consumer instance moved while opening; retry');
      }
      this.#held.set(key, instance);
      return instance;
    })().finally(() => this.#opening.delete(key));
    this.#opening.set(key, opening);
    return opening;
  }

  #takeOver(group: string, name: string): Promise<ConsumerInstance> {
    const key = instanceKey(group, name);
    if (!this.#opening.has(key)) this.#checkRoom();
    return this.#open(key, async () => {
      const current = this.#store.get(group, name);
      if (current === null)
        throw new RestError(restErrorCodes.consumerInstanceNotFound, 'Consumer instance not found.');
      const definition = {
        ...current,
        owner: this.self,
        touchedMs: Date.now(),
        idleTimeoutMs: this.#context.limits.consumerInstanceTimeoutMs,
      };
      await this.#store.write(group, name, definition);
      this.#logger.info({ group, instance: name, previousOwner: current.owner }, 'took over a v2 consumer instance');
      return definition;
    });
  }

  /** A fresh touchedMs at most once per half timeout, so other gateways can tell a live instance from a lost one. */
  #touch(instance: ConsumerInstance): void {
    const { definition } = instance;
    // A deleted instance (or one let go) is not written back.
    if (this.#held.get(instanceKey(definition.group, definition.name)) !== instance) return;
    const now = Date.now();
    if (!touchDue(definition.touchedMs, now, this.#context.limits.consumerInstanceTimeoutMs)) return;
    const touched = { ...definition, touchedMs: now };
    instance.redefine(touched);
    this.#store.write(touched.group, touched.name, touched).catch((error: unknown) => {
      this.#logger.warn({ err: error, group: touched.group, instance: touched.name }, 'touch not recorded');
    });
  }

  /** The instances topic changed: an instance held here that is gone or owned elsewhere is let go. */
  #changed(key: string, definition: InstanceDefinition | null): void {
    const instance = this.#held.get(key);
    if (instance === undefined || (definition !== null && definition.owner === this.self)) return;
    this.#held.delete(key);
    // Another gateway owns it now (its member replaced this one) or it was deleted: leave nothing behind.
    void instance.close({ leave: false }).catch(() => undefined);
    this.#logger.info({ key, owner: definition?.owner ?? null }, 'let go of a v2 consumer instance');
  }

  /** The member id was taken: rejoin when this gateway is still the recorded owner, else let go. */
  #fenced(instance: ConsumerInstance): void {
    const { group, name } = instance.definition;
    const key = instanceKey(group, name);
    if (this.#held.get(key) !== instance) return;
    if (this.#store.get(group, name)?.owner === this.self) {
      void instance.rejoin().catch((error: unknown) => this.#logger.warn({ err: error, key }, 'rejoin failed'));
      return;
    }
    this.#changed(key, this.#store.get(group, name));
  }

  async #sweep(): Promise<void> {
    if (this.#sweeping || this.#stopped) return;
    this.#sweeping = true;
    try {
      await this.#expire();
    } finally {
      this.#sweeping = false;
    }
  }

  async #expire(): Promise<void> {
    const now = Date.now();
    const timeoutMs = this.#context.limits.consumerInstanceTimeoutMs;
    for (const instance of [...this.#held.values()]) {
      if (!idleExpired(instance.lastUsedMs, now, timeoutMs)) continue;
      this.#logger.info(
        { group: instance.definition.group, instance: instance.definition.name },
        'v2 consumer instance expired',
      );
      await this.delete(instance).catch((error: unknown) => this.#logger.warn({ err: error }, 'expiry failed'));
    }
    for (const definition of [...this.#store.all()]) {
      const held = this.#held.has(instanceKey(definition.group, definition.name));
      if (held || !abandoned(definition, now)) continue;
      await this.#store
        .write(definition.group, definition.name, null)
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'abandoned instance not deleted'));
    }
  }
}

/** The v2 answer of a served operation: JSON in v2's content type, or 204 with nothing. */
export function sendV2(reply: FastifyReply, body: unknown, contentType = v2ContentType): FastifyReply {
  if (body === undefined) return reply.code(204).send();
  return reply.code(200).header('content-type', contentType).send(JSON.stringify(body));
}

/** A cluster failure inside an operation as Confluent's codes: a broken connection may be retried, a Kafka error not. */
function restErrorOf(error: unknown): unknown {
  if (error instanceof ConnectionError) {
    return new RestError(restErrorCodes.kafkaRetriableError, `Kafka error: ${error.message}`, { cause: error });
  }
  if (error instanceof KafkaError) {
    return new RestError(restErrorCodes.kafkaError, `Kafka error: ${error.message}`, { cause: error });
  }
  return error;
}
