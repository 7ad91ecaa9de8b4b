/**
 * Kafka error codes as REST Proxy v3 answers them, the one place they are
 * mapped (Confluent's rest-utils KafkaExceptionMapper): requests Kafka
 * refuses as invalid (topic exists, policy violation, bad partition count,
 * replication factor, replica assignment or config, security disabled) are
 * 400 with code 40002; an unknown topic or partition 404 with 40403;
 * authorization failures 403 with 40301; other retriable errors 500 with
 * 50003 and the rest 500 with 50002. Runnel also answers an invalid topic
 * name with 40002, where Confluent's exact-class lookup falls through to
 * 50002: a bad name is the caller's mistake, not the server's. Pure.
 */
import { ConnectionError, KafkaError } from '@runnel/client';
import { ErrorCode, errorDescription, errorName, isRetriable } from '@runnel/protocol';
import { RestError, restErrorCodes } from '../rest-error.ts';

const badRequestCodes: ReadonlySet<number> = new Set<number>([
  ErrorCode.TOPIC_ALREADY_EXISTS,
  ErrorCode.INVALID_PARTITIONS,
  ErrorCode.INVALID_REPLICATION_FACTOR,
  ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  ErrorCode.INVALID_CONFIG,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.POLICY_VIOLATION,
  ErrorCode.SECURITY_DISABLED,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.UNKNOWN_SERVER_ERROR,
  ErrorCode.INVALID_TOPIC_EXCEPTION,
  ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
]);

const authorizationCodes: ReadonlySet<number> = new Set<number>([
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
]);

/** Confluent's message for an unknown topic or partition (Kafka's exception text). */
export const unknownTopicOrPartitionMessage = 'This server does not host this topic-partition.';

/** The RestError a Kafka error code becomes; `message` is the broker's when it gave one. */
export function kafkaRestError(code: number, message: string | null, context: string): RestError {
  const text = message !== null && message !== '' ? message : errorDescription(code);
  if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    return new RestError(restErrorCodes.unknownTopicOrPartition, `${unknownTopicOrPartitionMessage} (${context})`);
  if (badRequestCodes.has(code)) return new RestError(restErrorCodes.kafkaBadRequest, text);
  if (authorizationCodes.has(code)) return new RestError(restErrorCodes.kafkaAuthorization, text);
  const kind = isRetriable(code) ? restErrorCodes.kafkaRetriableError : restErrorCodes.kafkaError;
  return new RestError(kind, `${errorName(code)}: ${text} (${context})`);
}

/**
 * What a v3 handler's failure becomes: a KafkaError the client threw is
 * mapped like any Kafka code; a ConnectionError (no broker answered, a
 * timeout, a broken connection) is retriable, 500 with 50003; anything
 * else (RestError included) is left as it is.
 */
export function asV3Error(error: unknown): unknown {
  if (error instanceof KafkaError) return kafkaRestError(error.code, null, error.message);
  if (error instanceof ConnectionError)
    return new RestError(restErrorCodes.kafkaRetriableError, `The cluster did not answer: ${error.message}`, {
      cause: error,
    });
  return error;
}

/** Throws the mapped RestError unless `code` is NONE. */
export function throwUnlessNone(code: number, message: string | null, context: string): void {
  if (code !== ErrorCode.NONE) throw kafkaRestError(code, message, context);
}
