/**
 * AddPartitionsToTxn and AddOffsetsToTxn: the first add after
 * InitProducerId or a completed transaction opens the next transaction
 * (Empty/Complete* → Ongoing, its start time now); later adds extend it.
 * AddOffsetsToTxn adds the `__consumer_offsets` partition of the group, so
 * the commit markers also reach the offsets the transaction commits.
 *
 * While the previous transaction's markers are still being written (or any
 * write of the id is in flight) the request waits and runs once the id is
 * at rest, instead of answering CONCURRENT_TRANSACTIONS (issue 11 item 7).
 *
 * Transaction version 2 (KIP-890 part 2): partition leaders add partitions
 * for the producer (Produce v12, TxnOffsetCommit v5), and the transaction
 * records that its client uses version 2. Right after an end that moved an
 * exhausted epoch to a new producer id, the client already uses the new id
 * while the Complete record that installs it is being written: such a
 * request waits too instead of being refused.
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { consumerOffsetsTopic, partitionForGroup } from '../groups/types.ts';
import { coordinatorWriteErrorCode, type ProducerIdentity, type TopicPartition } from './txn-api.ts';
import { checkProducer, type TxnCore } from './txn-core.ts';
import {
  containsAll,
  isAtRest,
  noProducerId,
  type QueuedRequest,
  type TxnEntry,
  toValue,
  transit,
  withPartitions,
} from './txn-model.ts';

type AddRequest = Extract<QueuedRequest, { kind: 'addPartitions' | 'addOffsets' }>;

export function addToTransaction(core: TxnCore, request: AddRequest, nowMs: number): void {
  const entry = core.entries.get(request.input.transactionalId);
  if (entry !== undefined && !isAtRest(entry) && awaitsNewProducerId(entry, request.input)) {
    core.enqueue(entry, request);
    return;
  }
  const refused = checkProducer(entry, request.input);
  if (refused !== null) {
    core.reply(request.kind, request.ticket, refused);
    return;
  }
  assert(entry !== undefined);
  const added = partitionsOf(core, request);
  const s = entry.current;
  if (!isAtRest(entry)) {
    core.enqueue(entry, request);
  } else if (s.state === 'Ongoing' && containsAll(s.partitions, added)) {
    // Already in the transaction: nothing to record.
    core.reply(request.kind, request.ticket, ErrorCode.NONE);
  } else {
    const next = transit(entry, {
      state: 'Ongoing',
      partitions: withPartitions(s.partitions, added),
      startMs: s.state === 'Ongoing' ? s.startMs : nowMs,
      lastUpdateMs: nowMs,
      clientTransactionVersion: s.state === 'Ongoing' ? s.clientTransactionVersion : transactionVersionOf(request),
    });
    core.write(entry, toValue(next), (written) => {
      if (written.ok) entry.current = next;
      core.reply(request.kind, request.ticket, written.ok ? ErrorCode.NONE : coordinatorWriteErrorCode(written.error));
    });
  }
}

/** The version 2 producer id an exhausted epoch moves to, named by the prepared end and installed by its Complete record. */
function awaitsNewProducerId(entry: TxnEntry, producer: ProducerIdentity): boolean {
  const s = entry.current;
  return s.nextProducerId !== noProducerId && producer.producerId === s.nextProducerId && producer.producerEpoch === 0;
}

/** 2 for a partition leader's implicit add; 0 for a client's AddPartitionsToTxn / AddOffsetsToTxn, as Kafka records them. */
function transactionVersionOf(request: AddRequest): number {
  return request.kind === 'addPartitions' ? (request.input.transactionVersion ?? 0) : 0;
}

function partitionsOf(core: TxnCore, request: AddRequest): readonly TopicPartition[] {
  if (request.kind === 'addPartitions') return request.input.partitions;
  const partition = partitionForGroup(request.input.groupId, core.config.offsetsTopicPartitions);
  return [{ topic: consumerOffsetsTopic, partition }];
}
