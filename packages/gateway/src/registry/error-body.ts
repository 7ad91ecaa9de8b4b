/**
 * Confluent Schema Registry's error body, which its clients parse: a JSON
 * object with exactly `error_code` and `message`. Registry errors carry a
 * five-digit code whose first three digits are the HTTP status (40401
 * subject not found, 42201 invalid schema, ...); errors raised before any
 * registry resource is reached (no such path, a method the path does not
 * take) carry the bare HTTP status, as the Jersey server Confluent runs on
 * answers them.
 */

/** The content type of every registry answer, errors included. */
export const registryContentType = 'application/vnd.schemaregistry.v1+json';

export interface ErrorBody {
  error_code: number;
  message: string;
}

/** The HTTP status a registry error code is sent with: its first three digits, or the code itself when it is one. */
export function httpStatusOf(errorCode: number): number {
  return errorCode >= 10_000 ? Math.trunc(errorCode / 100) : errorCode;
}

export function errorBody(errorCode: number, message: string): ErrorBody {
  return { error_code: errorCode, message };
}

/** The answer for a path no route serves, shaped like Confluent's (some clients probe optional endpoints and fall back on exactly this). */
export function notFoundBody(): ErrorBody {
  return errorBody(404, 'HTTP 404 Not Found');
}

/** The answer for a known path asked with a method it does not take, as Confluent's Jersey server words it. */
export function methodNotAllowedBody(): ErrorBody {
  return errorBody(405, 'HTTP 405 Method Not Allowed');
}
