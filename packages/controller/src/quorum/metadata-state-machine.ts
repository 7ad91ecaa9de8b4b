/**
 * The replicated state machine of the controller quorum: committed Raft
 * entries in, MetadataImage out. Every controller applies the same entries
 * in the same order, so every controller has the same image and the same
 * metadata offsets (one offset per record, counted across entries).
 *
 * It also keeps the committed batches since the last snapshot, so brokers
 * following the metadata log can resume from an offset; one asking for an
 * offset older than that gets the image as records instead. Owned by the
 * QuorumController; change listeners are called synchronously.
 */
import { assert } from '@runnel/common';
import type { CommittedBatch, MetadataRecord } from '@runnel/metadata';
import { imageRecords, MetadataImage, replayBatch } from '@runnel/metadata';
import { decodeMetadataEntry, decodeMetadataSnapshot, encodeMetadataSnapshot } from './entry-codec.ts';

/** Called after every change of the applied state; followers then ask catchUp() for what is new. */
export type ChangeListener = () => void;

export interface AppliedEntry {
  readonly proposer: number;
  readonly sequence: number;
  /** Metadata offset of the entry's last record, or the previous offset for an empty entry. */
  readonly lastOffset: bigint;
}

/** What a follower of the metadata log receives to catch up from `fromOffset`. */
export type CatchUp =
  | { readonly kind: 'batches'; readonly batches: readonly CommittedBatch[] }
  | { readonly kind: 'snapshot'; readonly records: readonly MetadataRecord[]; readonly lastOffset: bigint };

export class MetadataStateMachine {
  #image: MetadataImage = MetadataImage.empty;
  /** Batches committed since the state machine's snapshot, oldest first. */
  #batches: CommittedBatch[] = [];
  /** Offset of the last record covered by the snapshot the batches follow. */
  #baseOffset = -1n;
  readonly #listeners = new Set<ChangeListener>();

  get image(): MetadataImage {
    return this.#image;
  }

  get lastOffset(): bigint {
    return this.#image.lastOffset;
  }

  /** Applies one committed normal entry (empty data = the leader's no-op). */
  apply(data: Uint8Array): AppliedEntry | null {
    if (data.length === 0) return null;
    const decoded = decodeMetadataEntry(data);
    // A committed entry we cannot read means a bug or corruption: stop rather than diverge.
    assert(decoded.ok, `committed metadata entry is unreadable: ${decoded.ok ? '' : decoded.message}`);
    const { proposer, sequence, records } = decoded.value;
    if (records.length > 0) {
      const lastOffset = this.#image.lastOffset + BigInt(records.length);
      this.#image = replayBatch(this.#image, records, lastOffset);
      const batch: CommittedBatch = { records, lastOffset };
      this.#batches.push(batch);
      this.#notify();
    }
    return { proposer, sequence, lastOffset: this.#image.lastOffset };
  }

  /** The image as snapshot data; the batches before it can then be dropped. */
  snapshot(): Uint8Array {
    return encodeMetadataSnapshot(this.#image.lastOffset, imageRecords(this.#image));
  }

  /** Forgets batches up to the image's offset (after a Raft snapshot was taken). */
  compact(): void {
    this.#batches = [];
    this.#baseOffset = this.#image.lastOffset;
  }

  /** Replaces the state with a snapshot (at start, or one received from the leader). */
  restore(data: Uint8Array): void {
    if (data.length === 0) {
      this.#image = MetadataImage.empty;
    } else {
      const decoded = decodeMetadataSnapshot(data);
      assert(decoded.ok, `metadata snapshot is unreadable: ${decoded.ok ? '' : decoded.message}`);
      const { lastOffset, records } = decoded.value;
      this.#image = records.length === 0 ? MetadataImage.empty : replayBatch(MetadataImage.empty, records, lastOffset);
    }
    this.#batches = [];
    this.#baseOffset = this.#image.lastOffset;
    this.#notify();
  }

  /** What a follower at `fromOffset` (the last offset it has) needs next. */
  catchUp(fromOffset: bigint): CatchUp {
    if (fromOffset < this.#baseOffset) {
      return { kind: 'snapshot', records: imageRecords(this.#image), lastOffset: this.#image.lastOffset };
    }
    return { kind: 'batches', batches: this.#batches.filter((b) => b.lastOffset > fromOffset) };
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }
}
