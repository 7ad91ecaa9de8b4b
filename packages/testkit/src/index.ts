// Public entry of @runnel/testkit: the deterministic Raft simulation.
export { AppliedState } from './applied-state.ts';
export type { InvariantName, TermReader, Violation } from './invariant-checker.ts';
export { InvariantChecker } from './invariant-checker.ts';
export type { RaftClusterOptions } from './raft-cluster.ts';
export { RaftCluster } from './raft-cluster.ts';
export { delegateRaftNode } from './raft-delegate.ts';
export { rawNodeImplementation } from './raft-implementation.ts';
export type { ScheduleOptions, ScheduleResult, ScheduleStats } from './raft-schedule.ts';
export {
  defaultRaftSettings,
  describeFailure,
  replayCommand,
  runSchedule,
  standardScheduleOptions,
} from './raft-schedule.ts';
export type { RaftImplementation, RaftStatusView, SimRaftNode, SimStorage } from './raft-seam.ts';
export { Scheduler } from './scheduler.ts';
export type { DiskWrite, DurableImage } from './sim-disk.ts';
export { SimDisk } from './sim-disk.ts';
export type { Delivery, NetworkFaults, NetworkStats } from './sim-network.ts';
export { calmNetworkFaults, SimNetwork } from './sim-network.ts';
export type { ReadyCrashPoint, SimNodeContext, SimRaftSettings } from './sim-node.ts';
export { readyCrashPoints, SimNode } from './sim-node.ts';
