/**
 * A broker's (or the CLI's) client of the controller quorum: one gRPC
 * channel per controller address, calls sent to the controller last known
 * to lead, NOT_CONTROLLER answers followed to the leader they name, and one
 * deadline over the whole call including redirects and retries.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import type { Logger, Result } from '@runnel/common';
import { assert, err, ok, silentLogger } from '@runnel/common';
import { callErrorOf } from './call-errors.ts';
import type {
  ControllerAnswer,
  ControllerCallError,
  ControllerLeaderHint,
  ControllerReply,
} from './controller-answer.ts';
import type { ControllerOpName, OpRequest, OpValue } from './controller-ops.ts';
import { controllerOp } from './controller-ops.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import { channelOptions, grpcMessageBytesMaxDefault, reconnectBackoffDefault } from './grpc-options.ts';
import type { RpcMethod } from './load-protos.ts';
import { controllerServiceName, rpcMethod } from './load-protos.ts';
import type { MetadataStream, MetadataStreamEvents } from './metadata-stream.ts';
import { openMetadataStream } from './metadata-stream.ts';

export interface ControllerClientOptions {
  /** host:port of every controller's ControllerService; at least one. */
  readonly addresses: readonly string[];
  /** Deadline of one call, redirects and retries included. */
  readonly callTimeoutMs?: number;
  readonly backoff?: ReconnectBackoff;
  readonly messageBytesMax?: number;
  readonly logger?: Logger;
}

type Decode<Res, T> = (response: Res) => Result<ControllerAnswer<T>, 'malformed_response'>;

/** Attempts per call, whatever the deadline: a bound on the redirect loop. */
const attemptsMax = 32;

/**
 * Owned by the process that made it, which must close() it. Calls never
 * throw for network or quorum trouble: they resolve to a ControllerCallError.
 * A call that timed out may still have been applied by the controller.
 * A call on 'unavailable' is retried on the next controller, so a create may
 * be applied twice and answer topic_already_exists the second time.
 */
export class ControllerClient {
  readonly #addresses: readonly string[];
  readonly #callTimeoutMs: number;
  readonly #backoff: ReconnectBackoff;
  readonly #channelOptions: ReturnType<typeof channelOptions>;
  readonly #clients = new Map<string, Client>();
  readonly #logger: Logger;
  #target: string;
  #closed = false;

  constructor(options: ControllerClientOptions) {
    const first = options.addresses[0];
    assert(first !== undefined, 'ControllerClient needs at least one controller address');
    this.#addresses = options.addresses;
    this.#target = first;
    this.#callTimeoutMs = options.callTimeoutMs ?? 5_000;
    this.#backoff = options.backoff ?? reconnectBackoffDefault;
    this.#channelOptions = channelOptions(this.#backoff, options.messageBytesMax ?? grpcMessageBytesMaxDefault);
    this.#logger = options.logger ?? silentLogger();
  }

  /** The controller the next call goes to (the last known leader). */
  get target(): string {
    return this.#target;
  }

  /**
   * Runs one operation of the contract (controller-ops.ts) on the active
   * controller: sent to the last known leader, NOT_CONTROLLER followed to
   * the leader it names, one deadline over the whole call.
   */
  call<K extends ControllerOpName>(
    op: K,
    request: OpRequest<K>,
  ): Promise<Result<ControllerReply<OpValue<K>>, ControllerCallError>> {
    const entry = controllerOp(op);
    return this.#call(entry.method, entry.requestToProto(request), (p: unknown) => entry.answerFromProto(p));
  }

  /**
   * Opens FetchMetadata on the current target. The stream ends (events.end)
   * on any trouble; a NOT_CONTROLLER item also retargets this client, so the
   * caller's next stream goes to the named leader. Resuming is the caller's.
   */
  streamMetadata(afterOffset: bigint, events: MetadataStreamEvents): MetadataStream {
    assert(!this.#closed, 'ControllerClient used after close()');
    const address = this.#target;
    return openMetadataStream(this.#client(address), afterOffset, {
      ...events,
      end: (error, message, leader) => {
        if (error === 'unavailable') this.#rotate(address);
        if (error === 'not_controller' && leader !== null) this.#redirect(address, leader);
        events.end(error, message, leader);
      },
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  async #call<Req, Res, T>(
    rpc: string,
    request: Req,
    decode: Decode<Res, T>,
  ): Promise<Result<ControllerReply<T>, ControllerCallError>> {
    assert(!this.#closed, 'ControllerClient used after close()');
    const method = rpcMethod<Req, Res>(controllerServiceName, rpc);
    const deadlineMs = Date.now() + this.#callTimeoutMs;
    let backoffMs = this.#backoff.backoffMsMin;
    let fruitless = 0;
    let lastError: ControllerCallError = 'unavailable';
    for (let attempt = 0; attempt < attemptsMax && Date.now() < deadlineMs; attempt++) {
      const address = this.#target;
      const response = await this.#unary(address, method, request, deadlineMs);
      // The call's own deadline ran out during a retry after controllers said NOT_CONTROLLER: that is the answer.
      if (!response.ok && response.error === 'deadline_exceeded' && lastError === 'not_controller') break;
      if (!response.ok && response.error !== 'unavailable') return response;
      if (response.ok) {
        const decoded = decode(response.value);
        if (!decoded.ok) return decoded;
        const answer = decoded.value;
        if (answer.status === 'ok') return ok({ value: answer.value, committedOffset: answer.committedOffset });
        this.#logger.debug(
          { event: 'controller-redirect', rpc, from: address, leader: answer.leader },
          'not controller',
        );
        lastError = 'not_controller';
        if (this.#redirect(address, answer.leader)) continue;
      } else {
        lastError = 'unavailable';
        this.#rotate(address);
      }
      // Every controller refused or was down: wait out an election or a restart, then go round again.
      fruitless++;
      if (fruitless % this.#addresses.length === 0) {
        await delay(Math.min(backoffMs, Math.max(0, deadlineMs - Date.now())));
        backoffMs = Math.min(backoffMs * 2, this.#backoff.backoffMsMax);
      }
    }
    return err(lastError, `${rpc} got no answer before its deadline`);
  }

  /** Follows a leader hint; false if it named nobody new (so the caller should try elsewhere). */
  #redirect(from: string, leader: ControllerLeaderHint): boolean {
    if (leader.leaderAddress === null || leader.leaderAddress === from) {
      this.#rotate(from);
      return false;
    }
    this.#target = leader.leaderAddress;
    return true;
  }

  #rotate(from: string): void {
    if (this.#target !== from) return;
    const i = this.#addresses.indexOf(from);
    this.#target = this.#addresses[(i + 1) % this.#addresses.length] ?? from;
  }

  #client(address: string): Client {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new Client(address, credentials.createInsecure(), this.#channelOptions);
      this.#clients.set(address, client);
    }
    return client;
  }

  #unary<Req, Res>(
    address: string,
    method: RpcMethod<Req, Res>,
    request: Req,
    deadlineMs: number,
  ): Promise<Result<Res, ControllerCallError>> {
    return new Promise((resolve) => {
      this.#client(address).makeUnaryRequest<Req, Res>(
        method.path,
        method.serializeRequest,
        method.deserializeResponse,
        request,
        new Metadata(),
        { deadline: deadlineMs },
        (error: ServiceError | null, response?: Res) => {
          if (error === null && response !== undefined) resolve(ok(response));
          else resolve(err(callErrorOf(error), error?.details ?? 'no response'));
        },
      );
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
