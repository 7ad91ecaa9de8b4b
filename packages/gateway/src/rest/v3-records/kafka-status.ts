/**
 * The HTTP status a v3 answer carries for a failed Kafka call: the one
 * place the records routes map Kafka error codes and transport failures.
 */
import { ConnectionError, KafkaError } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { RestError } from '../rest-error.ts';

export interface FailedStatus {
  status: number;
  message: string;
}

const statusOfCode = new Map<number, number>([
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 404],
  [ErrorCode.OFFSET_OUT_OF_RANGE, 416],
  [ErrorCode.MESSAGE_TOO_LARGE, 413],
  [ErrorCode.RECORD_LIST_TOO_LARGE, 413],
  [ErrorCode.INVALID_TIMESTAMP, 400],
  [ErrorCode.INVALID_RECORD, 400],
  [ErrorCode.CORRUPT_MESSAGE, 400],
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED, 403],
  [ErrorCode.LEADER_NOT_AVAILABLE, 503],
  [ErrorCode.NOT_LEADER_OR_FOLLOWER, 503],
  [ErrorCode.NOT_ENOUGH_REPLICAS, 503],
  [ErrorCode.REQUEST_TIMED_OUT, 504],
]);

/** What to answer for an error thrown while producing or fetching. */
export function failedStatus(error: unknown): FailedStatus {
  if (error instanceof RestError) return { status: error.status, message: error.message };
  if (error instanceof KafkaError) return { status: statusOfCode.get(error.code) ?? 500, message: error.message };
  if (error instanceof ConnectionError) return { status: 503, message: `the cluster did not answer: ${error.message}` };
  return { status: 500, message: 'Internal Server Error' };
}
