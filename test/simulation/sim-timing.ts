/**
 * The time scale of the replication simulation: how long a step is, and
 * the broker settings that count in milliseconds, scaled down so that a
 * few hundred steps see many elections, ISR changes and timeouts.
 */

export interface SimBrokerTiming {
  readonly msPerStep: number;
  readonly lagTimeMaxMs: number;
  readonly heartbeatEverySteps: number;
  /** A registration or AlterPartition unanswered this long is asked again / given up on. */
  readonly requestTimeoutSteps: number;
  /** How long an acks=all produce waits for the ISR (the produce request's timeout). */
  readonly ackTimeoutMs: number;
  /** replica.fetch.wait.max.ms: the leader's long poll. */
  readonly fetchWaitMaxMs: number;
  /** replica.socket.timeout.ms: how long past its wait a fetch may go unanswered before its stream is replaced. */
  readonly fetchTimeoutMs: number;
  readonly fetchBackoffMs: number;
  readonly fetchResponseBytesMax: number;
  readonly segmentBytes: number;
}

/** 10 ms steps; replica.lag.time.max.ms 200, fetch wait 50, socket timeout 100, acks timeout 600, 4 KiB segments. */
export const defaultTiming: SimBrokerTiming = {
  msPerStep: 10,
  lagTimeMaxMs: 200,
  heartbeatEverySteps: 5,
  requestTimeoutSteps: 15,
  ackTimeoutMs: 600,
  fetchWaitMaxMs: 50,
  fetchTimeoutMs: 100,
  fetchBackoffMs: 20,
  fetchResponseBytesMax: 300,
  segmentBytes: 4096,
};
