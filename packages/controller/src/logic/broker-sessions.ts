/**
 * Broker liveness as the active controller sees it: the last heartbeat of
 * each broker incarnation, and which sessions have run out
 * (broker.session.timeout.ms). This is volatile state of the active
 * controller, not metadata: a newly elected controller starts every
 * registered broker's session afresh, as Kafka does, so a failover never
 * fences a healthy broker. Time is passed in (monotonic ms).
 */
export interface BrokerSession {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly brokerEpoch: bigint;
  readonly lastSeenMs: number;
}

export class BrokerSessions {
  readonly #timeoutMs: number;
  readonly #sessions = new Map<number, BrokerSession>();

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  get(brokerId: number): BrokerSession | undefined {
    return this.#sessions.get(brokerId);
  }

  /** Records a registration or heartbeat; returns false when another live incarnation holds the id. */
  touch(brokerId: number, incarnationId: string, brokerEpoch: bigint, nowMs: number): boolean {
    const current = this.#sessions.get(brokerId);
    if (current !== undefined && current.incarnationId !== incarnationId && !this.#expired(current, nowMs)) {
      return false;
    }
    this.#sessions.set(brokerId, { brokerId, incarnationId, brokerEpoch, lastSeenMs: nowMs });
    return true;
  }

  /**
   * Starts a session at `nowMs` for every unfenced broker in `brokers` (a new
   * active controller's view). A fenced broker serves nothing (it shut down
   * cleanly, lost its session, or has not caught up since registering), so
   * it holds no session, as in Kafka: its next heartbeat starts one, and a
   * new incarnation of it registers at once instead of waiting out
   * broker.session.timeout.ms — what made every `runnel dev` restart take
   * ~10 s (BENCHMARKS.md, Scale).
   */
  resetAll(
    brokers: Iterable<{ brokerId: number; incarnationId: string; brokerEpoch: bigint; fenced: boolean }>,
    nowMs: number,
  ): void {
    this.#sessions.clear();
    for (const b of brokers) if (!b.fenced) this.touch(b.brokerId, b.incarnationId, b.brokerEpoch, nowMs);
  }

  /** Brokers whose session has run out, by id. */
  expired(nowMs: number): number[] {
    return [...this.#sessions.values()].filter((s) => this.#expired(s, nowMs)).map((s) => s.brokerId);
  }

  remove(brokerId: number): void {
    this.#sessions.delete(brokerId);
  }

  #expired(session: BrokerSession, nowMs: number): boolean {
    return nowMs - session.lastSeenMs > this.#timeoutMs;
  }
}
