/**
 * Idempotent and transactional record batches as producers and transaction
 * coordinators write them (real v2 batches, CRC32C included), and a table
 * harness that gives them offsets the way the log does.
 */
import { encodeRecordBatchSync, writeBaseOffset } from '@runnel/protocol';
import type { ClientBatchesCheck, ProducerOrigin } from '../src/producer-state/producer-checks.ts';
import { ProducerStateTable, type TxnVerification } from '../src/producer-state/producer-state-table.ts';

export interface ProducerBatchSpec {
  producerId?: bigint;
  epoch: number;
  seq: number;
  records?: number;
  timestampMs?: bigint;
  transactional?: boolean;
}

/** One batch of `records` records (default 1) from producer `producerId` (default 1000). */
export function producerBatch(spec: ProducerBatchSpec): Buffer {
  const count = spec.records ?? 1;
  return encodeRecordBatchSync({
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`r${spec.seq}-${i}`) })),
    baseTimestamp: spec.timestampMs ?? 1_700_000_000_000n,
    producerId: spec.producerId ?? 1000n,
    producerEpoch: spec.epoch,
    baseSequence: spec.seq,
    transactional: spec.transactional ?? false,
  });
}

/** A transaction marker (control batch): key (version 0, type: 0 abort, 1 commit), value (version 0, coordinator epoch). */
export function markerBatch(spec: {
  producerId?: bigint;
  epoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestampMs?: bigint;
}): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(spec.commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(spec.coordinatorEpoch, 2);
  return encodeRecordBatchSync({
    records: [{ key, value }],
    baseTimestamp: spec.timestampMs ?? 1_700_000_000_000n,
    producerId: spec.producerId ?? 1000n,
    producerEpoch: spec.epoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/** Stamps consecutive offsets from `baseOffset` into the batches of `buf`; returns the next offset. */
export function stampOffsets(buf: Buffer, baseOffset: bigint): bigint {
  let next = baseOffset;
  for (let pos = 0; pos < buf.length; pos += 12 + buf.readInt32BE(pos + 8)) {
    writeBaseOffset(buf, pos, next);
    next += BigInt(buf.readInt32BE(pos + 23)) + 1n;
  }
  return next;
}

/** A ProducerStateTable fed the way PartitionLog feeds it: checked client appends and unchecked copies. */
export class TableHarness {
  readonly table = new ProducerStateTable();
  nextOffset = 0n;

  /** A Produce's batches: checked at the log end, then stored when the check says append. */
  client(...batches: Buffer[]): ClientBatchesCheck {
    return this.checked('client', batches);
  }

  /** Batches a coordinator writes for a producer (transactional offset commits): epoch checks only. */
  coordinator(...batches: Buffer[]): ClientBatchesCheck {
    return this.checked('coordinator', batches);
  }

  /** `client` with KIP-890 verification: the guard the Produce verified with (null: none). */
  verifiedClient(verification: TxnVerification | undefined, ...batches: Buffer[]): ClientBatchesCheck {
    return this.checked('client', batches, verification);
  }

  private checked(origin: ProducerOrigin, batches: Buffer[], verification?: TxnVerification): ClientBatchesCheck {
    const buf = Buffer.concat(batches);
    const check = this.table.check(buf, this.nextOffset, origin, verification);
    if (check.kind === 'append') this.store(buf);
    return check;
  }

  /** Batches a follower copies or recovery replays: stored with no checks. */
  replicate(...batches: Buffer[]): void {
    this.store(Buffer.concat(batches));
  }

  /** Moves the log end on, as other producers' batches would. */
  skip(offsets: bigint): void {
    this.nextOffset += offsets;
  }

  private store(buf: Buffer): void {
    const end = stampOffsets(buf, this.nextOffset);
    for (let pos = 0; pos < buf.length; pos += 12 + buf.readInt32BE(pos + 8)) this.table.applyStoredBatch(buf, pos);
    this.nextOffset = end;
  }
}
