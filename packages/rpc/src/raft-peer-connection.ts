/**
 * One long-lived RaftTransport.Send stream to one peer. Internal to
 * RaftTransportClient, which owns it and closes it.
 *
 *   connecting --(channel ready)--> streaming --(stream ends or fails)--> connecting
 *   any --close()--> closed
 *
 * While connecting, batches are dropped at once (Raft resends what matters:
 * heartbeats, appends after a rejection, votes after a timeout). The gRPC
 * channel reconnects with the backoff given in its options.
 */
import type { ClientWritableStream, ServiceError } from '@grpc/grpc-js';
import { Client, credentials } from '@grpc/grpc-js';
import type { RaftMessageBatchProto, SendAckProto } from './generated/raft-proto.ts';
import type { RpcMethod } from './load-protos.ts';

export type PeerSendOutcome = 'sent' | 'peer_unreachable' | 'queue_full';

/** How long one wait for the channel lasts before the loop checks whether it was closed. */
const readyWaitMs = 1_000;

export class RaftPeerConnection {
  readonly #client: Client;
  readonly #method: RpcMethod<RaftMessageBatchProto, SendAckProto>;
  readonly #queueBatchesMax: number;
  readonly #onStateChange: (connected: boolean, reason: string) => void;
  #stream: ClientWritableStream<RaftMessageBatchProto> | null = null;
  #closed = false;

  constructor(
    client: Client,
    method: RpcMethod<RaftMessageBatchProto, SendAckProto>,
    queueBatchesMax: number,
    onStateChange: (connected: boolean, reason: string) => void,
  ) {
    this.#client = client;
    this.#method = method;
    this.#queueBatchesMax = queueBatchesMax;
    this.#onStateChange = onStateChange;
    this.#waitForChannel();
  }

  static create(
    address: string,
    options: ConstructorParameters<typeof Client>[2],
    method: RpcMethod<RaftMessageBatchProto, SendAckProto>,
    queueBatchesMax: number,
    onStateChange: (connected: boolean, reason: string) => void,
  ): RaftPeerConnection {
    const client = new Client(address, credentials.createInsecure(), options);
    return new RaftPeerConnection(client, method, queueBatchesMax, onStateChange);
  }

  get connected(): boolean {
    return this.#stream !== null;
  }

  send(batch: RaftMessageBatchProto): PeerSendOutcome {
    const stream = this.#stream;
    if (stream === null) return 'peer_unreachable';
    // The stream's own buffer is the send queue; HTTP/2 flow control drains it.
    if (stream.writableLength >= this.#queueBatchesMax) return 'queue_full';
    stream.write(batch);
    return 'sent';
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const stream = this.#stream;
    this.#stream = null;
    stream?.cancel();
    this.#client.close();
  }

  #waitForChannel(): void {
    if (this.#closed) return;
    this.#client.waitForReady(Date.now() + readyWaitMs, (error) => {
      if (this.#closed) return;
      if (error === undefined) this.#openStream();
      else this.#waitForChannel();
    });
  }

  #openStream(): void {
    const stream = this.#client.makeClientStreamRequest<RaftMessageBatchProto, SendAckProto>(
      this.#method.path,
      this.#method.serializeRequest,
      this.#method.deserializeResponse,
      (error: ServiceError | null) => {
        if (this.#stream !== stream) return;
        this.#stream = null;
        if (this.#closed) return;
        this.#onStateChange(false, error === null ? 'stream ended by peer' : error.message);
        this.#waitForChannel();
      },
    );
    // Errors arrive through the callback above; this keeps them from being unhandled.
    stream.on('error', () => undefined);
    this.#stream = stream;
    this.#onStateChange(true, 'stream open');
  }
}
