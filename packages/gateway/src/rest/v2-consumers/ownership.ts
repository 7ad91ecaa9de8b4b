/**
 * Which gateway answers a request for a consumer instance, pure. Every
 * gateway knows every instance's definition and owner (the instances
 * topic); the owner holds the instance's live state (group membership,
 * positions). A request reaching another gateway is forwarded to the owner;
 * when the owner does not answer, the gateway takes the instance over:
 * it records itself as the owner and rejoins the group under the
 * instance's static member id, which fences the old owner's member at the
 * coordinator. Reading resumes from the committed offsets.
 */
import type { InstanceDefinition } from './instance-definition.ts';

export type Route =
  /** This gateway holds the instance and is its recorded owner. */
  | { action: 'serve' }
  /** No definition: never created, deleted or expired. */
  | { action: 'not_found' }
  /** Another gateway owns it: send the request there and pass its answer back. */
  | { action: 'forward'; to: string }
  /** The definition names this gateway but it holds nothing (it restarted): rebuild the instance here. */
  | { action: 'take_over' }
  /**
   * A forwarded request reached a gateway that does not own the instance (ownership moved while the request was
   * on its way): answer a retriable error rather than forward again, so requests never loop.
   */
  | { action: 'moved'; to: string };

export interface RouteInput {
  /** Whether this gateway holds the instance's live state. */
  readonly held: boolean;
  /** The definition as this gateway read it after a read barrier. */
  readonly definition: InstanceDefinition | null;
  /** This gateway's advertised REST URL. */
  readonly self: string;
  /** Whether the request was forwarded by another gateway. */
  readonly forwarded: boolean;
}

export function decideRoute(input: RouteInput): Route {
  const { definition, self } = input;
  if (definition === null) return { action: 'not_found' };
  if (definition.owner === self) return input.held ? { action: 'serve' } : { action: 'take_over' };
  if (input.forwarded) return { action: 'moved', to: definition.owner };
  return { action: 'forward', to: definition.owner };
}

/** Why a forward failed, as the forwarder sees it. */
export type ForwardFailure = 'unreachable' | 'timeout';

/**
 * After a forward that got no answer: an owner that refuses connections or does not answer in time is taken to
 * be dead, and this gateway takes the instance over (static membership fences the old owner if it was alive).
 */
export function afterForwardFailure(_failure: ForwardFailure): Route {
  return { action: 'take_over' };
}

/**
 * Whether the owner should record a fresh `touchedMs`: at most once per half timeout, so a busy instance costs
 * one small write per half timeout, and a definition older than twice the timeout is surely abandoned.
 */
export function touchDue(recordedMs: number, nowMs: number, timeoutMs: number): boolean {
  return nowMs - recordedMs >= timeoutMs / 2;
}

/** Whether the owner expires its idle instance (Confluent's `consumer.instance.timeout.ms`). */
export function idleExpired(lastUsedMs: number, nowMs: number, timeoutMs: number): boolean {
  return nowMs - lastUsedMs >= timeoutMs;
}

/**
 * Whether any gateway may delete a definition nobody touched for twice its owner's timeout: its owner died and no request
 * came to take it over (a live owner refreshes `touchedMs` while in use and deletes it itself when idle).
 */
export function abandoned(definition: InstanceDefinition, nowMs: number): boolean {
  return nowMs - definition.touchedMs >= 2 * definition.idleTimeoutMs;
}
