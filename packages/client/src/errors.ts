/**
 * The client's two error classes. Kafka error codes that a caller can act on
 * per item (admin results, fetch) come back as data; single-partition calls
 * that cannot return a useful value (produce, listOffsets, consume) throw
 * KafkaError once retries are spent. Transport failures throw ConnectionError.
 */
import { errorDescription, errorName } from '@runnel/protocol';

/**
 * A Kafka error code the broker returned, after any retries the client made.
 * Owned by the caller that caught it; the client and its connections stay usable.
 */
export class KafkaError extends Error {
  override name = 'KafkaError';
  readonly code: number;
  /** The protocol name of the code, e.g. "TOPIC_ALREADY_EXISTS". */
  readonly errorName: string;
  constructor(code: number, detail?: string | null) {
    super(`${errorName(code)}: ${detail ?? errorDescription(code)}`);
    this.code = code;
    this.errorName = errorName(code);
  }
}

/**
 * Why a request never got a usable response.
 * - connect_failed: no TCP connection (or no bootstrap server answered)
 * - closed: the connection closed, by either side, with the request pending
 * - timeout: no response within the request timeout
 * - unsupported_api: the broker offers no version of the API we can speak
 * - malformed_response: the response frame did not decode
 */
export type ConnectionFailure = 'connect_failed' | 'closed' | 'timeout' | 'unsupported_api' | 'malformed_response';

/** Owned by the caller that caught it; see Connection for what state the connection is left in. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  readonly reason: ConnectionFailure;
  constructor(reason: ConnectionFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
