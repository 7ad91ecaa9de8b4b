/**
 * The receiving side of the Raft transport: a gRPC server for
 * RaftTransport.Send that decodes each message and hands it to the driver.
 */
import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import { Server } from '@grpc/grpc-js';
import type { Logger, Result } from '@runnel/common';
import { ok, silentLogger } from '@runnel/common';
import type { Message } from '@runnel/raft';
import type { RaftMessageBatchProto, SendAckProto } from './generated/raft-proto.ts';
import type { BindError } from './grpc-options.ts';
import { bindServer, grpcMessageBytesMaxDefault, serverOptions } from './grpc-options.ts';
import { raftServiceName, serviceDefinition } from './load-protos.ts';
import { raftMessageFromProto } from './raft-message-codec.ts';

export interface RaftTransportServerOptions {
  /** Every well-formed message, in the order its sender sent it. Called synchronously; must not throw. */
  readonly onMessage: (message: Message) => void;
  readonly host?: string;
  /** 0 (the default) binds any free port; read it back from `port`. */
  readonly port?: number;
  readonly logger?: Logger;
  readonly messageBytesMax?: number;
}

/**
 * Owned by the process that started it (the controller), which must close()
 * it. A malformed message is logged and dropped, like a lost one: Raft
 * tolerates loss, and one bad message must not cost the rest of the batch.
 * A broken stream only ends that stream; the server keeps serving. If
 * onMessage throws, that is a bug in the driver and it propagates (crash).
 */
export class RaftTransportServer {
  readonly #server: Server;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(options: RaftTransportServerOptions): Promise<Result<RaftTransportServer, BindError>> {
    const logger = options.logger ?? silentLogger();
    const server = new Server(serverOptions(options.messageBytesMax ?? grpcMessageBytesMaxDefault));
    server.addService(serviceDefinition(raftServiceName), {
      Send: (call: ServerReadableStream<RaftMessageBatchProto, SendAckProto>, done: sendUnaryData<SendAckProto>) => {
        let accepted = 0;
        call.on('data', (batch: RaftMessageBatchProto) => {
          for (const proto of batch.messages) {
            const message = raftMessageFromProto(proto);
            if (!message.ok) {
              logger.warn(
                { event: 'raft-message-dropped', peer: call.getPeer(), reason: message.message },
                'bad message',
              );
              continue;
            }
            accepted++;
            options.onMessage(message.value);
          }
        });
        call.on('end', () => done(null, { accepted: String(accepted) }));
        // A cancelled or broken stream: nothing to answer, the sender reconnects.
        call.on('error', () => undefined);
      },
    });
    const bound = await bindServer(server, options.host ?? '127.0.0.1', options.port ?? 0);
    if (!bound.ok) {
      server.forceShutdown();
      return bound;
    }
    return ok(new RaftTransportServer(server, bound.value));
  }

  /** Stops at once: streams are long-lived, so waiting for them to end would never finish. */
  close(): void {
    this.#server.forceShutdown();
  }
}
