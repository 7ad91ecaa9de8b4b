/**
 * What the group and the transaction coordinators' runtimes share: one
 * pure machine per hosted partition of their internal topic (loading, then
 * loaded), requests parked by ticket until the machine replies, a timer per
 * partition at the machine's next deadline (→ `tick`), a periodic pass over
 * every machine (→ `expire`), and `abandon` when a partition leaves. What
 * each does with its machine's other effects (writes, markers) is the
 * `carryOut` callback's.
 *
 * Owned by its coordinator (GroupCoordinator, TransactionCoordinator).
 * A reply for a ticket nobody waits for, or of the wrong kind, is a bug.
 */
import { assert, type Clock, type Logger } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { GroupTimers } from './groups/group-timers.ts';

/** A machine's reply to the request with `ticket`. */
export interface TicketReply {
  readonly kind: string;
  readonly ticket: number;
  readonly result: unknown;
}

export interface MachineEffects {
  readonly replies: readonly TicketReply[];
}

/** What the runtime needs of a machine, beside its requests. */
export interface PartitionMachine<E extends MachineEffects> {
  tick(nowMs: number): E;
  expire(nowMs: number): E;
  abandon(nowMs: number): E;
  nextDeadlineMs(): number | null;
}

export interface LoadedSlot<M> {
  readonly kind: 'loaded';
  readonly machine: M;
  cancel: () => void;
}

type Slot<M> = { readonly kind: 'loading' } | LoadedSlot<M>;

export interface CoordinatorRuntimeOptions<M, E> {
  readonly clock: Clock;
  readonly timers: GroupTimers;
  readonly logger: Logger;
  /** Names the coordinator in log lines. */
  readonly name: string;
  /** How often `expire` runs over every loaded machine. */
  readonly expireIntervalMs: number;
  /** Carries out the effects other than replies (the slot is current when called). */
  readonly carryOut: (partition: number, slot: LoadedSlot<M>, effects: E) => void;
}

interface Parked {
  readonly kind: string;
  readonly resolve: (result: never) => void;
}

const noTimer = (): void => {};

export class CoordinatorRuntime<E extends MachineEffects, M extends PartitionMachine<E>> {
  readonly #options: CoordinatorRuntimeOptions<M, E>;
  readonly #slots = new Map<number, Slot<M>>();
  readonly #parked = new Map<number, Parked>();
  #nextTicket = 1;
  #cancelExpiry: () => void = noTimer;
  #closed = false;

  constructor(options: CoordinatorRuntimeOptions<M, E>) {
    this.#options = options;
    this.#scheduleExpiry();
  }

  loading(partition: number): void {
    this.drop(partition);
    this.#slots.set(partition, { kind: 'loading' });
  }

  /** Hosts `machine` for `partition` (replacing what was there); `initial` are its first effects. */
  loaded(partition: number, machine: M, initial?: E): void {
    this.drop(partition);
    const slot: LoadedSlot<M> = { kind: 'loaded', machine, cancel: noTimer };
    this.#slots.set(partition, slot);
    if (initial === undefined) this.#rearm(partition, slot);
    else this.apply(partition, slot, initial);
  }

  /** The partition left: its machine is abandoned, waiting requests get what `abandon` answers. */
  drop(partition: number): void {
    const slot = this.#slots.get(partition);
    this.#slots.delete(partition);
    if (slot?.kind !== 'loaded') return;
    slot.cancel();
    // Replies only: writes and markers the abandoned machine still wanted are the next coordinator's.
    for (const reply of slot.machine.abandon(this.#options.clock.nowMs()).replies) {
      const parked = this.#parked.get(reply.ticket);
      if (parked === undefined) continue;
      this.#parked.delete(reply.ticket);
      (parked.resolve as (result: unknown) => void)(reply.result);
    }
    this.#options.logger.info({ partition }, `${this.#options.name} unloaded partition`);
  }

  /** Stops the timers and drops every partition. */
  close(): void {
    this.#closed = true;
    this.#cancelExpiry();
    for (const partition of [...this.#slots.keys()]) this.drop(partition);
  }

  /** Whether `slot` still hosts `partition` (an outcome for an older slot is dropped). */
  current(partition: number, slot: LoadedSlot<M>): boolean {
    return this.#slots.get(partition) === slot;
  }

  /** The slot serving `partition`, or the error code a request for it gets. */
  route(partition: number): LoadedSlot<M> | number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const slot = this.#slots.get(partition);
    if (slot === undefined) return ErrorCode.NOT_COORDINATOR;
    if (slot.kind === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return slot;
  }

  /** Runs a request on the partition's machine and resolves with its reply (of `kind`), or `fail(code)` if not served. */
  call<R>(
    kind: string,
    partition: number,
    fail: (errorCode: number) => R,
    step: (machine: M, ticket: number, nowMs: number) => E,
  ): Promise<R> {
    const slot = this.route(partition);
    if (typeof slot === 'number') return Promise.resolve(fail(slot));
    const ticket = this.#nextTicket++;
    const answer = new Promise<R>((resolve) => {
      this.#parked.set(ticket, { kind, resolve });
    });
    this.apply(partition, slot, step(slot.machine, ticket, this.#options.clock.nowMs()));
    return answer;
  }

  /** Answers the replies, carries out the rest and re-arms the partition's timer. */
  apply(partition: number, slot: LoadedSlot<M>, effects: E): void {
    for (const reply of effects.replies) {
      const parked = this.#parked.get(reply.ticket);
      assert(
        parked !== undefined && parked.kind === reply.kind,
        `reply ${reply.kind} for unknown ticket ${reply.ticket}`,
      );
      this.#parked.delete(reply.ticket);
      (parked.resolve as (result: unknown) => void)(reply.result);
    }
    this.#options.carryOut(partition, slot, effects);
    this.#rearm(partition, slot);
  }

  /** Every loaded machine, with its partition (for reads and the periodic pass). */
  *loadedSlots(): Iterable<[number, LoadedSlot<M>]> {
    for (const [partition, slot] of this.#slots) if (slot.kind === 'loaded') yield [partition, slot];
  }

  counts(): { loading: number; loaded: number } {
    let loading = 0;
    for (const slot of this.#slots.values()) if (slot.kind === 'loading') loading++;
    return { loading, loaded: this.#slots.size - loading };
  }

  /** Runs `expire` on every loaded machine now. */
  expire(): void {
    const now = this.#options.clock.nowMs();
    for (const [partition, slot] of [...this.loadedSlots()]) this.apply(partition, slot, slot.machine.expire(now));
  }

  #rearm(partition: number, slot: LoadedSlot<M>): void {
    slot.cancel();
    slot.cancel = noTimer;
    const deadlineMs = slot.machine.nextDeadlineMs();
    if (deadlineMs === null) return;
    const { clock, timers } = this.#options;
    slot.cancel = timers.schedule(deadlineMs - clock.nowMs(), () => {
      slot.cancel = noTimer;
      if (!this.current(partition, slot)) return;
      this.apply(partition, slot, slot.machine.tick(clock.nowMs()));
    });
  }

  #scheduleExpiry(): void {
    this.#cancelExpiry = this.#options.timers.schedule(this.#options.expireIntervalMs, () => {
      if (this.#closed) return;
      this.expire();
      this.#scheduleExpiry();
    });
  }
}
