/**
 * Produce (key 0, the advertised table's range, v0-12 today; only v3+
 * carries record batch v2, so older versions get
 * UNSUPPORTED_FOR_MESSAGE_FORMAT per partition; v9+ is the flexible
 * encoding of the same body, the codec's business). Each partition's
 * records field is checked by validateProducedBatch (@runnel/protocol; every
 * check, its code and Kafka's equivalent: docs/batch-validation.md): one v2
 * batch, CRC32C, counts against the bytes, no control batch, producer
 * fields, and every record walked in place or as it inflates (bounded by
 * batch.decompressed.max.bytes) for offset deltas, compacted keys and
 * CreateTime bounds. A refusal answers its Kafka code with v8's
 * errorMessage and recordErrors, and a rate-limited log line. The batch is
 * then appended as the exact bytes the producer sent; only baseOffset and
 * partitionLeaderEpoch are rewritten by the log.
 * Batches of idempotent producers are checked against the partition's
 * producer state on their turn in the log: a resent batch is answered with
 * its original offsets (NONE, nothing appended); a gap, an old epoch or a
 * non-transactional batch inside an open transaction refuses the
 * partition's whole produce (OUT_OF_ORDER_SEQUENCE_NUMBER,
 * INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, with v8's errorMessage saying
 * why). acks=0 sends no response at all; acks=1 answers
 * once the leader's append is done; acks=-1 is refused with
 * NOT_ENOUGH_REPLICAS before appending when the ISR is smaller than
 * min.insync.replicas, and otherwise answers when the high watermark passes
 * the batch (every ISR member has it), with NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * if the ISR shrinks below the minimum meanwhile, REQUEST_TIMED_OUT after
 * the request's timeout, or NOT_LEADER_OR_FOLLOWER if leadership moves.
 * Those decisions are Partition.appendAsLeader's; this handler validates and
 * maps its outcome to Kafka codes. From v10 a NOT_LEADER_OR_FOLLOWER answer
 * names the current leader and its endpoint (KIP-951,
 * produce-leader-hints.ts); from v11 a transactional batch the coordinator
 * did not verify is TRANSACTION_ABORTABLE; at v12 the broker adds a
 * transactional batch's partition to its transaction (produce-verification.ts).
 * A storage fault while appending (ENOSPC, EIO), and any produce to a
 * partition hosted here while the log directory is offline, is
 * KAFKA_STORAGE_ERROR, never a closed connection (log-dir-health.ts).
 */
import { assert } from '@runnel/common';
import { isValidTopicName } from '@runnel/metadata';
import {
  ApiKeys,
  advertisedApis,
  ErrorCode,
  InflateBudget,
  type ProducedBatchError,
  type ProduceRequest,
  type ProduceResponse,
  validateProducedBatch,
} from '@runnel/protocol';
import { isInternalTopic } from '../internal-topic.ts';
import { type Acks, isAcks } from '../replication/partition-api.ts';
import type { TxnVerifier } from '../transactions/txn-ports.ts';
import { AppendOrder, type AppendTurn } from './append-order.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';
import { ProduceRulesCache } from './produce-batch-rules.ts';
import { leaderHintVersionMin, withLeaderHints } from './produce-leader-hints.ts';
import { verifyTransactionalProduce } from './produce-verification.ts';
import { RefusalLogLimiter } from './refusal-log-limiter.ts';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];
type RecordErrors = NonNullable<PartitionResponse['recordErrors']>;
/** What producePartition passes through to producePartitionInTurn after the partition: records, acks, timeout, transactional id, version. */
type ProduceArgs = [Buffer | null, Acks, number, string | null, number];

/** Bytes snappy/lz4 batches being checked may inflate to at once, broker-wide (gzip and zstd stream). */
const INFLATE_BUDGET_BYTES = 64 * 1024 * 1024;

/** The first Produce version whose clients handle KAFKA_STORAGE_ERROR (v3 gets NOT_LEADER_OR_FOLLOWER instead). */
const storageErrorVersionMin = 4;

/** The first Produce version that names topics by id (KIP-516). */
const topicIdVersionMin = 13;

function unknownTopicId(index: number): PartitionResponse {
  return { index, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

/**
 * The versions served are the advertised table's row, so the two cannot
 * disagree. Every version from 3 shares one request body; what differs is
 * answered by version checks: leader hints (v10+), TRANSACTION_ABORTABLE
 * (v11+), and at v12 (transaction version 2, KIP-890 part 2) the broker adds
 * a transactional batch's partition to its transaction
 * (produce-verification.ts).
 */
const advertised = ((row) => {
  assert(row !== undefined, 'Produce is missing from the advertised table');
  return row;
})(advertisedApis.find((a) => a.apiKey === ApiKeys.Produce));

/** validateProducedBatch's refusals -> Kafka codes (the one place they are mapped). */
const validationErrorCodes: Readonly<Record<ProducedBatchError, number>> = {
  corrupt_message: ErrorCode.CORRUPT_MESSAGE,
  invalid_record: ErrorCode.INVALID_RECORD,
  invalid_timestamp: ErrorCode.INVALID_TIMESTAMP,
  unsupported_compression_type: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  unsupported_for_message_format: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
};

/** Partition's closed union of produce failures -> Kafka codes. */
const appendErrorCodes = {
  not_enough_replicas: ErrorCode.NOT_ENOUGH_REPLICAS,
  not_enough_replicas_after_append: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  timed_out: ErrorCode.REQUEST_TIMED_OUT,
  not_leader: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  out_of_order_sequence: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  // Kafka answers Produce with INVALID_PRODUCER_EPOCH, never PRODUCER_FENCED (KAFKA-10687).
  invalid_producer_epoch: ErrorCode.INVALID_PRODUCER_EPOCH,
  invalid_txn_state: ErrorCode.INVALID_TXN_STATE,
} as const;

/**
 * `verifier`: how a transactional produce is verified with (KIP-890 part
 * 1, only with `verificationEnabled`: transaction.partition.verification.enable)
 * or added to (part 2, Produce v12) the producer's transaction by its
 * coordinator; null where there is no coordinator to ask (unit tests).
 */
export function produceHandler(
  broker: BrokerContext,
  verifier: TxnVerifier | null = null,
  verificationEnabled = true,
): Handler<0> {
  const produceRules = new ProduceRulesCache(broker.config);
  // A client can send refused batches at will: their log lines are budgeted.
  const refusalLog = new RefusalLogLimiter();
  // snappy and lz4 inflate whole (no streaming API): what all produces hold at once is bounded here.
  const inflateBudget = new InflateBudget(INFLATE_BUDGET_BYTES);
  const appendOrder = new AppendOrder();
  /** Takes the partition's append turn now, in request order (append-order.ts), and ends it on every path. */
  async function producePartition(
    connectionId: number,
    topic: string,
    index: number,
    ...rest: ProduceArgs
  ): Promise<PartitionResponse> {
    const turn = appendOrder.take(connectionId, topic, index);
    try {
      return await producePartitionInTurn(turn, topic, index, ...rest);
    } finally {
      turn.done();
    }
  }

  async function producePartitionInTurn(
    turn: AppendTurn,
    topic: string,
    index: number,
    records: Buffer | null,
    acks: Acks,
    timeoutMs: number,
    transactionalId: string | null,
    version: number,
  ): Promise<PartitionResponse> {
    const storageError =
      version >= storageErrorVersionMin ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const fail = (errorCode: number, errorMessage?: string, recordErrors: RecordErrors = []): PartitionResponse => {
      broker.metrics.produceErrors.inc({ topic, error: String(errorCode) });
      return {
        index,
        errorCode,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        ...(errorMessage === undefined ? {} : { errorMessage }),
        ...(recordErrors.length === 0 ? {} : { recordErrors }),
      };
    };
    // Clients may not write to internal topics (Kafka answers INVALID_TOPIC_EXCEPTION too).
    if (!isValidTopicName(topic) || isInternalTopic(topic)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const image = broker.image();
    const topicImage = image.topic(topic);
    if (topicImage === undefined || topicImage.partitions[index] === undefined)
      return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (broker.partitions.logDirOffline && topicImage.partitions[index]?.replicas.includes(broker.config.nodeId)) {
      return fail(storageError);
    }
    const partition = broker.partitions.get(topic, index);
    if (partition === undefined || partition.closed || partition.leader !== broker.config.nodeId) {
      return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    if (records === null || records.length === 0) return fail(ErrorCode.INVALID_RECORD, 'no record batch');
    const rules = produceRules.rulesFor(image, topic);
    // Checked on the outer size before any record is read: Kafka's RecordTooLargeException.
    if (records.length > rules.messageBytesMax) {
      return fail(
        ErrorCode.MESSAGE_TOO_LARGE,
        `the batch is ${records.length} bytes, more than max.message.bytes ${rules.messageBytesMax}`,
      );
    }
    const checked = await validateProducedBatch(records, {
      ...rules.batch,
      apiVersion: version,
      nowMs: broker.clock.nowMs(),
      inflateBudget,
    });
    if (!checked.ok) {
      const admitted = refusalLog.admit(broker.clock.monotonicMs());
      if (admitted !== null) {
        broker.logger.warn(
          { topic, partition: index, error: checked.error, reason: checked.message, ...admitted },
          'rejected produce batch',
        );
      }
      const recordErrors = checked.recordErrors.map((e) => ({
        batchIndex: e.batchIndex,
        batchIndexErrorMessage: e.message,
      }));
      return fail(validationErrorCodes[checked.error], checked.message, recordErrors);
    }
    const batch = checked.batch;
    const verified = await verifyTransactionalProduce({
      transactionalId,
      topic,
      partition: index,
      batches: [batch],
      version,
      log: partition.log,
      verifier,
      verificationEnabled,
    });
    if (!verified.ok) {
      broker.logger.info(
        { topic, partition: index, transactionalId, reason: verified.message },
        'unverified transactional produce',
      );
      return fail(verified.errorCode, verified.message);
    }
    await turn.ready;
    // The call starts the append synchronously: once made, the next produce in line may start its own.
    const appending = partition.appendAsLeader(records, batch.recordCount, {
      acks,
      minInsyncReplicas: rules.minInsyncReplicas,
      timeoutMs,
      verification: verified.verification,
    });
    turn.done();
    let appended: Awaited<typeof appending>;
    try {
      appended = await appending;
    } catch (error) {
      // The log was not written (or only a partial batch recovery will cut): never acknowledged.
      if (broker.partitions.storageFault(error, { topic, partition: index })) return fail(storageError);
      throw error;
    }
    if (!appended.ok) return fail(appendErrorCodes[appended.error], appended.message);
    // A duplicate's records went in with the original.
    if (!appended.value.duplicate) {
      broker.metrics.bytesIn.inc({ topic }, records.length);
      broker.metrics.messagesIn.inc({ topic }, batch.recordCount);
    }
    const replicated = await appended.value.replicated;
    if (replicated !== 'done') return fail(appendErrorCodes[replicated]);
    return {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: appended.value.baseOffset,
      logAppendTimeMs: appended.value.logAppendTimeMs,
      logStartOffset: partition.logStartOffset,
    };
  }

  return {
    apiKey: 0,
    // v0-2 carry message formats v0/v1, refused per partition as UNSUPPORTED_FOR_MESSAGE_FORMAT.
    minVersion: advertised.minVersion,
    maxVersion: advertised.maxVersion,
    // Every partition's append (and acks wait) is awaited, and the tail cache claims the stored bytes itself.
    requestBytesFreeAfterHandling: true,
    async handle(request: ProduceRequest, context: RequestContext): Promise<ProduceResponse | null> {
      const apiVersion = context.header.apiVersion;
      const acks = request.acks;
      if (!isAcks(acks)) {
        return {
          responses: request.topicData.map((t) => ({
            ...(apiVersion >= topicIdVersionMin ? { topicId: t.topicId ?? '' } : { name: t.name ?? '' }),
            partitionResponses: t.partitionData.map((p) => ({
              index: p.index,
              errorCode: ErrorCode.INVALID_REQUIRED_ACKS,
              baseOffset: -1n,
              logAppendTimeMs: -1n,
              logStartOffset: -1n,
            })),
          })),
          throttleTimeMs: 0,
        };
      }
      const image = broker.image();
      const responses = await Promise.all(
        request.topicData.map(async (topic) => {
          // v13+ (KIP-516) names the topic by id; the response answers in the same terms.
          const byId = apiVersion >= topicIdVersionMin;
          const name = byId ? image.topicById(topic.topicId ?? '')?.name : topic.name;
          const named = byId ? { topicId: topic.topicId ?? '' } : { name: topic.name ?? '' };
          if (name === undefined) {
            broker.logger.info({ topicId: topic.topicId }, 'produce to an unknown topic id');
            return { ...named, partitionResponses: topic.partitionData.map((p) => unknownTopicId(p.index)) };
          }
          return {
            ...named,
            partitionResponses: await Promise.all(
              topic.partitionData.map((p) =>
                producePartition(
                  context.connection.id,
                  name,
                  p.index,
                  Buffer.isBuffer(p.records) ? p.records : null,
                  acks,
                  request.timeoutMs,
                  request.transactionalId ?? null,
                  apiVersion,
                ),
              ),
            ),
          };
        }),
      );
      if (acks === 0) return null;
      const response = { responses, throttleTimeMs: 0 };
      // The image is read after the appends: a leadership change they ran into is in it by then, or soon after.
      return apiVersion >= leaderHintVersionMin ? withLeaderHints(response, broker.image()) : response;
    },
  };
}
