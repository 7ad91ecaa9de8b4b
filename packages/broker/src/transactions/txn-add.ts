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
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { consumerOffsetsTopic, partitionForGroup } from '../groups/types.ts';
import { coordinatorWriteErrorCode, type TopicPartition } from './txn-api.ts';
import { checkProducer, type TxnCore } from './txn-core.ts';
import { containsAll, isAtRest, type QueuedRequest, toValue, transit, withPartitions } from './txn-model.ts';

type AddRequest = Extract<QueuedRequest, { kind: 'addPartitions' | 'addOffsets' }>;

export function addToTransaction(core: TxnCore, request: AddRequest, nowMs: number): void {
  const entry = core.entries.get(request.input.transactionalId);
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
    });
    core.write(entry, toValue(next), (written) => {
      if (written.ok) entry.current = next;
      core.reply(request.kind, request.ticket, written.ok ? ErrorCode.NONE : coordinatorWriteErrorCode(written.error));
    });
  }
}

function partitionsOf(core: TxnCore, request: AddRequest): readonly TopicPartition[] {
  if (request.kind === 'addPartitions') return request.input.partitions;
  const partition = partitionForGroup(request.input.groupId, core.config.offsetsTopicPartitions);
  return [{ topic: consumerOffsetsTopic, partition }];
}
