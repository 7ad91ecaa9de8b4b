/**
 * The controller's gRPC face: decodes each ControllerService call, hands it
 * to the ControllerServiceHandler the controller implements, and encodes the
 * answer. FetchMetadata streams what the handler pushes into its sink.
 */
import type { ServerUnaryCall, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { Server, status } from '@grpc/grpc-js';
import type { Logger, Result } from '@runnel/common';
import { ok, silentLogger } from '@runnel/common';
import { encodeMetadataRecord } from '@runnel/metadata';
import type { ControllerOpName, OpRequest } from './controller-ops.ts';
import { controllerOp, controllerOpNames } from './controller-ops.ts';
import { notControllerToProto } from './controller-response-codec.ts';
import type { ControllerOpHandlers, ControllerServiceHandler, MetadataStreamSink } from './controller-types.ts';
import type { FetchMetadataRequestProto, FetchMetadataResponseProto } from './generated/controller-proto.ts';
import type { BindError } from './grpc-options.ts';
import { bindServer, grpcMessageBytesMaxDefault, serverOptions } from './grpc-options.ts';
import { controllerServiceName, serviceDefinition } from './load-protos.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

export interface ControllerServiceServerOptions {
  readonly handler: ControllerServiceHandler;
  readonly host?: string;
  /** 0 (the default) binds any free port; read it back from `port`. */
  readonly port?: number;
  readonly logger?: Logger;
  /** Records per streamed message; larger batches and snapshots are split. */
  readonly streamRecordsPerMessageMax?: number;
  /** Messages a FetchMetadata stream may have waiting for a slow reader before it is cut (the reader resumes). */
  readonly streamQueueMessagesMax?: number;
  readonly messageBytesMax?: number;
}

/** A unary method: decode the request (or refuse it), run the handler, encode the answer. */
type Decoded<T> = Result<T, 'malformed_request'>;

/**
 * Owned by the controller process, which must close() it. A malformed
 * request is answered INVALID_ARGUMENT; a handler that throws is answered
 * INTERNAL and logged; neither affects other calls. close() cuts open
 * FetchMetadata streams (brokers resume elsewhere) and stops their sinks.
 */
export class ControllerServiceServer {
  readonly #server: Server;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(options: ControllerServiceServerOptions): Promise<Result<ControllerServiceServer, BindError>> {
    const logger = options.logger ?? silentLogger();
    const handler = options.handler;
    const server = new Server(serverOptions(options.messageBytesMax ?? grpcMessageBytesMaxDefault));

    const unary =
      <Req, Res, T>(name: string, decode: (req: Req) => Decoded<T>, run: (value: T) => Promise<Res>) =>
      (call: ServerUnaryCall<Req, Res>, done: sendUnaryData<Res>): void => {
        const decoded = decode(call.request);
        if (!decoded.ok) {
          done({ code: status.INVALID_ARGUMENT, details: decoded.message ?? decoded.error });
          return;
        }
        run(decoded.value).then(
          (response) => done(null, response),
          (e: unknown) => {
            logger.error({ event: 'controller-rpc-failed', rpc: name, err: e }, 'controller handler failed');
            done({ code: status.INTERNAL, details: e instanceof Error ? e.message : String(e) });
          },
        );
      };

    // One unary method per operation of the table, all alike: decode, run the handler, encode the answer.
    const ops: ControllerOpHandlers = handler;
    const method = <K extends ControllerOpName>(name: K) => {
      const entry = controllerOp(name);
      return unary(
        entry.method,
        (p: unknown) => entry.requestFromProto(p),
        async (request: OpRequest<K>) => entry.answerToProto(await ops[name](request)),
      );
    };
    const methods: Record<string, unknown> = {};
    for (const name of controllerOpNames) methods[controllerOp(name).method] = method(name);
    server.addService(serviceDefinition(controllerServiceName), {
      ...methods,
      FetchMetadata: (call: ServerWritableStream<FetchMetadataRequestProto, FetchMetadataResponseProto>) =>
        serveFetchMetadata(call, handler, logger, {
          recordsPerMessageMax: options.streamRecordsPerMessageMax ?? 1_000,
          queueMessagesMax: options.streamQueueMessagesMax ?? 1_024,
        }),
    });
    const bound = await bindServer(server, options.host ?? '127.0.0.1', options.port ?? 0);
    if (!bound.ok) {
      server.forceShutdown();
      return bound;
    }
    return ok(new ControllerServiceServer(server, bound.value));
  }

  close(): void {
    this.#server.forceShutdown();
  }
}

function serveFetchMetadata(
  call: ServerWritableStream<FetchMetadataRequestProto, FetchMetadataResponseProto>,
  handler: ControllerServiceHandler,
  logger: Logger,
  limits: { recordsPerMessageMax: number; queueMessagesMax: number },
): void {
  let stopped = false;
  let stop: () => void = () => undefined;
  const finish = (): void => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  const write = (message: FetchMetadataResponseProto): void => {
    if (stopped) return;
    // A reader this far behind resumes from its last offset on a new stream; the queue stays bounded.
    if (call.writableLength >= limits.queueMessagesMax) {
      logger.warn({ event: 'metadata-stream-cut', peer: call.getPeer() }, 'metadata reader too slow');
      finish();
      // grpc-js ends the stream with this status once what is queued has gone out.
      call.emit('error', { code: status.RESOURCE_EXHAUSTED, details: 'metadata reader too slow' });
      return;
    }
    call.write(message);
  };
  const sink: MetadataStreamSink = {
    batch: ({ records, lastOffset }) => {
      const n = limits.recordsPerMessageMax;
      const firstOffset = lastOffset - BigInt(records.length) + 1n;
      for (let start = 0; start < records.length; start += n) {
        const chunk = records.slice(start, start + n);
        const chunkLast = firstOffset + BigInt(start + chunk.length - 1);
        write({ batch: { records: chunk.map(encodeMetadataRecord), lastOffset: int64ToWire(chunkLast) } });
      }
    },
    snapshot: (records, lastOffset) => {
      const n = limits.recordsPerMessageMax;
      let start = 0;
      do {
        const chunk = records.slice(start, start + n);
        start += n;
        write({
          snapshot: {
            records: chunk.map(encodeMetadataRecord),
            lastOffset: int64ToWire(lastOffset),
            lastChunk: start >= records.length,
          },
        });
      } while (start < records.length);
    },
  };
  call.on('cancelled', finish);
  call.on('close', finish);
  call.on('error', finish);
  let started: ReturnType<ControllerServiceHandler['fetchMetadata']>;
  try {
    started = handler.fetchMetadata(int64FromWire(call.request.afterOffset), sink);
  } catch (e: unknown) {
    logger.error({ event: 'controller-rpc-failed', rpc: 'FetchMetadata', err: e }, 'controller handler failed');
    stopped = true;
    call.emit('error', { code: status.INTERNAL, details: e instanceof Error ? e.message : String(e) });
    return;
  }
  if (started.status === 'not_controller') {
    call.write({ notController: notControllerToProto(started.leader) });
    call.end();
    stopped = true;
    return;
  }
  stop = started.stop;
  if (stopped) stop();
}
