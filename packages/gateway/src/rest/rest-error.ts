/**
 * The REST Proxy's error answer, as Confluent's kafka-rest shapes it: a JSON
 * object with `error_code` and `message`. v2 codes have five digits whose
 * first three are the HTTP status (40401 topic not found, 40403 consumer
 * instance not found, 42203 a record that does not fit its schema, ...); v3 answers carry the bare
 * HTTP status as its code. Route handlers throw RestError; the REST app's
 * error handler turns it (and Fastify's own errors: bad JSON, body too
 * large, failed validation) into the body for the API the path belongs to.
 */

/** v2's content type, errors included. */
export const v2ContentType = 'application/vnd.kafka.v2+json';
/** v3's content type (plain JSON, as Confluent's v3 answers). */
export const v3ContentType = 'application/json';

/** Confluent's v2 error codes that more than one area of the REST Proxy raises. */
export const restErrorCodes = {
  /** A body that is not JSON, or a request the proxy cannot make sense of. */
  badRequest: 400,
  topicNotFound: 40_401,
  partitionNotFound: 40_402,
  consumerInstanceNotFound: 40_403,
  /** The partition has no leader right now. */
  leaderNotAvailable: 40_404,
  /** The request's content type is not one this route takes (Confluent: 415 with 415 as the code). */
  unsupportedMediaType: 415,
  /** The body parses but does not describe a valid request (a field missing or of the wrong type). */
  unprocessableEntity: 422,
  /** Records with keys in a registry format but no key schema (Confluent's KEY_SCHEMA_MISSING). */
  keySchemaMissing: 42_201,
  /** Records with values in a registry format but no value schema (VALUE_SCHEMA_MISSING). */
  valueSchemaMissing: 42_202,
  /** A key or value that does not fit its schema (Confluent's JSON_CONVERSION: "Conversion of JSON to Object failed"). */
  invalidRecord: 42_203,
  /** A schema the registry refuses, or one this side cannot compile (Confluent's INVALID_SCHEMA). */
  invalidSchema: 42_205,
  /** A consumer instance asked for records in a format it was not created with. */
  consumerFormatMismatch: 40_601,
  /** The Kafka cluster did not answer, or answered with an error the proxy cannot map. */
  kafkaError: 50_002,
  kafkaRetriableError: 50_003,
  /** The gateway is not connected to the cluster yet. */
  kafkaUnavailable: 50_301,
  /** A v2 consumer instance's group already has an instance of that name. */
  consumerInstanceExists: 40_902,
  /** Kafka's IllegalStateException: subscribe while assigned (or the reverse), seek a partition not held. */
  illegalState: 40_903,
  /** A v2 consumer instance's create request names a config value Kafka's consumer would refuse. */
  invalidConsumerConfig: 42_204,
  /** This gateway holds as many v2 consumer instances as its limit allows. */
  tooManyConsumerInstances: 42_901,
  /**
   * Kafka refused the request as invalid: topic exists, policy violation,
   * bad partition count or replication factor, bad config, security
   * disabled (no authorizer). Confluent answers 400 with it, on v3 too.
   */
  kafkaBadRequest: 40_002,
  /** Kafka's UNKNOWN_TOPIC_OR_PARTITION (Confluent: 404 with this code, on v3 too). */
  unknownTopicOrPartition: 40_403,
  /** Kafka refused the caller's authorization (topic, group or cluster). */
  kafkaAuthorization: 40_301,
} as const;

/**
 * Codes Confluent's Kafka exception mapper gives, which v3 answers keep as
 * they are (its other v3 errors carry the bare HTTP status).
 */
const kafkaMappedCodes: ReadonlySet<number> = new Set([
  restErrorCodes.kafkaBadRequest,
  restErrorCodes.unknownTopicOrPartition,
  restErrorCodes.kafkaAuthorization,
  restErrorCodes.kafkaError,
  restErrorCodes.kafkaRetriableError,
]);

export class RestError extends Error {
  override name = 'RestError';
  readonly errorCode: number;

  constructor(errorCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.errorCode = errorCode;
  }

  /** The HTTP status: the code's first three digits, or the code itself when it has three. */
  get status(): number {
    return this.errorCode >= 10_000 ? Math.trunc(this.errorCode / 100) : this.errorCode;
  }
}

export interface RestErrorBody {
  error_code: number;
  message: string;
}

/**
 * The body an error gets on `path`: v3 paths carry the HTTP status as the
 * code, except the codes of Kafka's own errors (kafkaMappedCodes); others
 * Confluent's v2 code.
 */
export function restErrorBody(path: string, errorCode: number, message: string): RestErrorBody {
  const status = errorCode >= 10_000 ? Math.trunc(errorCode / 100) : errorCode;
  const keep = !isV3Path(path) || kafkaMappedCodes.has(errorCode);
  return { error_code: keep ? errorCode : status, message };
}

export function isV3Path(path: string): boolean {
  return path === '/v3' || path.startsWith('/v3/');
}
