/** gRPC status -> the closed ControllerCallError union, in one place. */
import type { ServiceError } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { ControllerCallError } from './controller-answer.ts';

export function callErrorOf(error: ServiceError | null): ControllerCallError {
  switch (error?.code) {
    case status.UNAVAILABLE:
      return 'unavailable';
    case status.DEADLINE_EXCEEDED:
      return 'deadline_exceeded';
    default:
      // INTERNAL (a handler failed, or a response would not decode), INVALID_ARGUMENT, UNIMPLEMENTED: bugs or version skew.
      return 'internal';
  }
}
