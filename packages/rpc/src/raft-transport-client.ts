/**
 * The sending side of the Raft transport: one RaftPeerConnection per peer,
 * messages grouped into one batch per peer per send() call.
 */
import type { Logger } from '@runnel/common';
import { assert, silentLogger } from '@runnel/common';
import type { Message, NodeId } from '@runnel/raft';
import type { RaftMessageBatchProto, SendAckProto } from './generated/raft-proto.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import { channelOptions, grpcMessageBytesMaxDefault, reconnectBackoffDefault } from './grpc-options.ts';
import { raftServiceName, rpcMethod } from './load-protos.ts';
import { raftMessageToProto } from './raft-message-codec.ts';
import { RaftPeerConnection } from './raft-peer-connection.ts';

export type RaftSendFailure = 'peer_unreachable' | 'queue_full' | 'unknown_peer';

export interface RaftTransportClientOptions {
  /** Peer node id -> `host:port` of its RaftTransport server. */
  readonly peers: ReadonlyMap<NodeId, string>;
  /** Called for every batch dropped; Raft treats it as message loss. */
  readonly onSendFailure?: (peer: NodeId, failure: RaftSendFailure, droppedMessages: number) => void;
  /** Batches buffered per peer while HTTP/2 flow control holds them back; more are dropped. */
  readonly queueBatchesMax?: number;
  readonly backoff?: ReconnectBackoff;
  readonly messageBytesMax?: number;
  readonly logger?: Logger;
}

/**
 * Owned by the Raft driver, which must close() it. send() never blocks and
 * never throws for network trouble: anything that cannot go out now is
 * dropped and reported through onSendFailure. Connections heal by
 * themselves; after close() every send is a bug (assert).
 */
export class RaftTransportClient {
  readonly #peers = new Map<NodeId, RaftPeerConnection>();
  readonly #method = rpcMethod<RaftMessageBatchProto, SendAckProto>(raftServiceName, 'Send');
  readonly #options: RaftTransportClientOptions;
  readonly #logger: Logger;
  #closed = false;

  constructor(options: RaftTransportClientOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    for (const [id, address] of options.peers) this.setPeer(id, address);
  }

  /** Adds a peer or moves it to a new address (membership change, restart elsewhere). */
  setPeer(id: NodeId, address: string): void {
    assert(!this.#closed, 'RaftTransportClient used after close()');
    this.#peers.get(id)?.close();
    const logger = this.#logger.child({ peer: id, address });
    const connection = RaftPeerConnection.create(
      address,
      channelOptions(
        this.#options.backoff ?? reconnectBackoffDefault,
        this.#options.messageBytesMax ?? grpcMessageBytesMaxDefault,
      ),
      this.#method,
      this.#options.queueBatchesMax ?? 1024,
      (connected, reason) =>
        logger.info({ event: connected ? 'raft-peer-connected' : 'raft-peer-disconnected', reason }, 'raft peer'),
    );
    this.#peers.set(id, connection);
  }

  removePeer(id: NodeId): void {
    this.#peers.get(id)?.close();
    this.#peers.delete(id);
  }

  /** Whether a stream to the peer is open now (it may still fail on the next write). */
  isConnected(id: NodeId): boolean {
    return this.#peers.get(id)?.connected ?? false;
  }

  /** Sends the messages of one Ready; each peer gets its messages as one batch, in order. */
  send(messages: readonly Message[]): void {
    assert(!this.#closed, 'RaftTransportClient used after close()');
    const byPeer = new Map<NodeId, RaftMessageBatchProto>();
    for (const message of messages) {
      let batch = byPeer.get(message.to);
      if (batch === undefined) {
        batch = { messages: [] };
        byPeer.set(message.to, batch);
      }
      batch.messages.push(raftMessageToProto(message));
    }
    for (const [peer, batch] of byPeer) {
      const connection = this.#peers.get(peer);
      const outcome = connection === undefined ? 'unknown_peer' : connection.send(batch);
      if (outcome !== 'sent') this.#options.onSendFailure?.(peer, outcome, batch.messages.length);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const connection of this.#peers.values()) connection.close();
    this.#peers.clear();
  }
}
