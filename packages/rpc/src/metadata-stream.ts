/**
 * One FetchMetadata call, decoded: record batches and whole snapshots come
 * out as MetadataRecord arrays; the stream's end comes out once, as a closed
 * reason. Resuming after an end is the caller's business (see
 * GrpcControllerChannel), because only the caller knows what it applied.
 */
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type { MetadataRecord } from '@runnel/metadata';
import { decodeMetadataRecord } from '@runnel/metadata';
import { callErrorOf } from './call-errors.ts';
import type { ControllerCallError, ControllerLeaderHint } from './controller-answer.ts';
import { notControllerFromProto } from './controller-response-codec.ts';
import type { FetchMetadataRequestProto, FetchMetadataResponseProto } from './generated/controller-proto.ts';
import { controllerServiceName, rpcMethod } from './load-protos.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

/** Why a stream ended; 'stream_ended' = the controller closed it cleanly (it is shutting down). */
export type MetadataStreamEnd = ControllerCallError | 'stream_ended';

export interface MetadataStreamEvents {
  /** Records at consecutive offsets ending at lastOffset. */
  batch(records: MetadataRecord[], lastOffset: bigint): void;
  /** A complete snapshot: the image as of lastOffset, as records to replay onto an empty image. */
  snapshot(records: MetadataRecord[], lastOffset: bigint): void;
  /** Called once, unless the caller cancelled first. `leader` is set for 'not_controller'. */
  end(reason: MetadataStreamEnd, message: string, leader: ControllerLeaderHint | null): void;
}

export interface MetadataStream {
  /** Stops the stream; no event follows. */
  cancel(): void;
}

export function openMetadataStream(client: Client, afterOffset: bigint, events: MetadataStreamEvents): MetadataStream {
  const method = rpcMethod<FetchMetadataRequestProto, FetchMetadataResponseProto>(
    controllerServiceName,
    'FetchMetadata',
  );
  const call: ClientReadableStream<FetchMetadataResponseProto> = client.makeServerStreamRequest(
    method.path,
    method.serializeRequest,
    method.deserializeResponse,
    { afterOffset: int64ToWire(afterOffset) },
    new Metadata(),
  );
  let done = false;
  let snapshot: { records: MetadataRecord[]; lastOffset: string } | null = null;
  const end = (reason: MetadataStreamEnd, message: string, leader: ControllerLeaderHint | null = null): void => {
    if (done) return;
    done = true;
    call.cancel();
    events.end(reason, message, leader);
  };

  call.on('data', (item: FetchMetadataResponseProto) => {
    if (done) return;
    if (item.item === 'notController' && item.notController !== undefined) {
      end('not_controller', 'not the controller', notControllerFromProto(item.notController));
      return;
    }
    const part = item.item === 'batch' ? item.batch : item.item === 'snapshot' ? item.snapshot : undefined;
    if (part === undefined) {
      end('malformed_response', 'empty FetchMetadata item');
      return;
    }
    const records: MetadataRecord[] = [];
    for (const bytes of part.records) {
      const decoded = decodeMetadataRecord(bytes);
      if (!decoded.ok) {
        end('malformed_response', `metadata record: ${decoded.message ?? decoded.error}`);
        return;
      }
      records.push(decoded.value);
    }
    if (item.item === 'batch') {
      if (snapshot !== null || records.length === 0) {
        end('malformed_response', 'batch inside a snapshot, or an empty batch');
        return;
      }
      events.batch(records, int64FromWire(part.lastOffset));
      return;
    }
    if (snapshot !== null && snapshot.lastOffset !== part.lastOffset) {
      end('malformed_response', 'snapshot chunks disagree on their offset');
      return;
    }
    snapshot ??= { records: [], lastOffset: part.lastOffset };
    for (const r of records) snapshot.records.push(r);
    if (item.snapshot?.lastChunk === true) {
      const complete = snapshot;
      snapshot = null;
      events.snapshot(complete.records, int64FromWire(complete.lastOffset));
    }
  });
  call.on('error', (error: ServiceError) => end(callErrorOf(error), error.details));
  call.on('end', () => end('stream_ended', 'controller closed the stream'));
  return {
    cancel: () => {
      if (done) return;
      done = true;
      call.cancel();
    },
  };
}
