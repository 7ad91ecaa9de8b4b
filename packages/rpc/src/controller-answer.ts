/**
 * How a controller answers a call: the value with the offset of what it
 * committed, or "not the controller, ask this one"; and why a call may get
 * no answer at all. Shared by the codecs, the client and the server.
 */

/** Who the answering controller believes leads; null parts are unknown (election running). */
export interface ControllerLeaderHint {
  readonly leaderId: number | null;
  /** host:port of the leader's ControllerService. */
  readonly leaderAddress: string | null;
}

/**
 * A controller's answer: the value, with the offset of the last metadata
 * record the call committed (-1n if none) so the caller can wait until its
 * metadata stream has applied it; or "not the controller, ask this one".
 */
export type ControllerAnswer<T> =
  | { readonly status: 'ok'; readonly value: T; readonly committedOffset: bigint }
  | { readonly status: 'not_controller'; readonly leader: ControllerLeaderHint };

export function answer<T>(value: T, committedOffset = -1n): ControllerAnswer<T> {
  return { status: 'ok', value, committedOffset };
}

export function notController(leader: ControllerLeaderHint): {
  status: 'not_controller';
  leader: ControllerLeaderHint;
} {
  return { status: 'not_controller', leader };
}

/**
 * Why a call to the controller quorum produced no answer. 'not_controller':
 * every controller tried said it is not the leader and none named one.
 */
export type ControllerCallError =
  | 'unavailable'
  | 'deadline_exceeded'
  | 'not_controller'
  | 'malformed_response'
  | 'internal';

/** A successful call's value with the offset of what it committed (-1n if nothing). */
export interface ControllerReply<T> {
  readonly value: T;
  readonly committedOffset: bigint;
}
