/**
 * The two faces of the broker <-> controller contract, both derived from
 * the operation table (controller-ops.ts): what the controller implements
 * (ControllerServiceHandler: one function per operation, plus the metadata
 * stream) and what brokers and tools hold (ControllerChannel: `call` for
 * every operation, plus `subscribe`). Error names are closed unions; the
 * broker maps them to Kafka error codes.
 */
import type { CommittedBatch, MetadataRecord } from '@runnel/metadata';
import type { ControllerAnswer, ControllerLeaderHint } from './controller-answer.ts';
import type { ControllerOpName, OpRequest, OpValue } from './controller-ops.ts';

/** Where the controller pushes committed metadata for one FetchMetadata stream. */
export interface MetadataStreamSink {
  /** Records at consecutive offsets ending at batch.lastOffset, each after the previous batch. */
  batch(batch: CommittedBatch): void;
  /** The whole image as records, as of lastOffset; sent first when the asked offset is older than the log start. */
  snapshot(records: readonly MetadataRecord[], lastOffset: bigint): void;
}

export type FetchMetadataAnswer =
  | { readonly status: 'ok'; readonly stop: () => void }
  | { readonly status: 'not_controller'; readonly leader: ControllerLeaderHint };

/** One handler per operation of the table: the decoded request in, the answer out. */
export type ControllerOpHandlers = {
  readonly [K in ControllerOpName]: (request: OpRequest<K>) => Promise<ControllerAnswer<OpValue<K>>>;
};

/**
 * Implemented by the controller process. Each handler gets a decoded,
 * type-checked request. A handler that throws or rejects is a controller
 * bug or a stopped controller: the server logs it and answers gRPC INTERNAL.
 */
export interface ControllerServiceHandler extends ControllerOpHandlers {
  /** Delivers records after `afterOffset` (sink calls may happen before this returns) until stop() is called. */
  fetchMetadata(afterOffset: bigint, sink: MetadataStreamSink): FetchMetadataAnswer;
}

/**
 * The seam between brokers (and tools) and the controller quorum; its one
 * implementation is GrpcControllerChannel, in combined mode too.
 */
export interface ControllerChannel {
  /**
   * Delivers every committed batch in order: first everything committed so
   * far, then each new commit, before the call that caused it resolves.
   * Returns an unsubscribe function.
   */
  subscribe(listener: (batch: CommittedBatch) => void): () => void;
  /**
   * Runs one operation on the active controller. What it committed is
   * delivered to this channel's subscribers before this resolves. Rejects
   * with ControllerUnavailableError (@runnel/metadata) when no controller
   * answers; Kafka-level failures are Results in the value.
   */
  call<K extends ControllerOpName>(op: K, request: OpRequest<K>): Promise<OpValue<K>>;
}
