/**
 * What Kafka's refusals become in v2 answers, as Confluent's REST Proxy
 * reports a producer or admin exception: 50003 for an error a retry may
 * cure (Kafka's retriable codes, a lost or timed-out connection), 50002
 * for any other Kafka error. A produce puts it in the refused records'
 * entries; a metadata or offsets request answers it as the error. Pure.
 */
import { ConnectionError, KafkaError } from '@runnel/client';
import { isRetriable } from '@runnel/protocol';
import { RestError, restErrorCodes } from '../rest-error.ts';

export interface KafkaFailure {
  readonly errorCode: number;
  readonly message: string;
}

/** The v2 code and message for a Kafka or connection error; null for any other error (a bug: it stays a 500). */
export function kafkaFailureOf(error: unknown): KafkaFailure | null {
  if (error instanceof KafkaError) {
    return isRetriable(error.code)
      ? { errorCode: restErrorCodes.kafkaRetriableError, message: `Retriable Kafka error: ${error.message}` }
      : { errorCode: restErrorCodes.kafkaError, message: `Kafka error: ${error.message}` };
  }
  if (error instanceof ConnectionError) {
    return { errorCode: restErrorCodes.kafkaRetriableError, message: `Retriable Kafka error: ${error.message}` };
  }
  return null;
}

/** Rethrows `error` as the RestError its Kafka failure answers, or unchanged when it is not Kafka's. */
export function rethrowKafkaFailure(error: unknown): never {
  const failure = kafkaFailureOf(error);
  if (failure === null) throw error;
  throw new RestError(failure.errorCode, failure.message, { cause: error });
}
