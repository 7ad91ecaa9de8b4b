export { AssertionError, assert, unreachable } from './assert.ts';
export type { Clock } from './clock.ts';
export { ManualClock, systemClock } from './clock.ts';
export type {
  AdmissionLimits,
  AdmissionVerdict,
  ConnectionActivity,
  CreationRateState,
  ExpiryLimits,
  ExpiryVerdict,
} from './connection-limits.ts';
export {
  admitConnection,
  connectionExpiry,
  connectionLimitUnlimited,
  creationDelay,
  creationRateStart,
  expirySweepIntervalMs,
  normalizeAddress,
  parsePerIpOverrides,
  perIpLimit,
} from './connection-limits.ts';
export type { HttpConnectionLimits, HttpLimitReason } from './http-connection-limits.ts';
export { limitHttpConnections, probeHttpLimits } from './http-connection-limits.ts';
export type {
  Brand,
  BrokerId,
  LeaderEpoch,
  NodeId,
  Offset,
  PartitionId,
  ProducerId,
  TimestampMs,
} from './ids.ts';
export { brokerId, leaderEpoch, nodeId, offset, partitionId, producerId, timestampMs } from './ids.ts';
export { limits } from './limits.ts';
export type { LogFormat, Logger, LoggerOptions } from './logger.ts';
export { createLogger, defaultLogFormat, isLogFormat, logFormats, silentLogger } from './logger.ts';
export { Random } from './random.ts';
export type { Result } from './result.ts';
export { err, ok } from './result.ts';
export type { Timer, Timers } from './timers.ts';
export { ManualTimers, systemTimers } from './timers.ts';
