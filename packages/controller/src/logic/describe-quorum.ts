/**
 * DescribeQuorum's answer, built from what the active controller knows:
 * Raft's status (leader, term, each voter's match), the voters' last
 * answers (QuorumProgress), the broker heartbeats' metadata offsets and the
 * image. Pure: the service calls it inside an operation of the queue.
 *
 * Offsets are metadata offsets. The high watermark is the committed offset
 * the image reached; a voter's log end is the offset its match index ends
 * at (the leader's own: its log end). The leader reports a last fetch of -1
 * and a caught-up time of now, as Kafka's leader does. Brokers are the
 * observers, at the offset their latest heartbeat reported (their fetch).
 */
import type { MetadataImage, QuorumDescription, QuorumReplica } from '@runnel/metadata';

export interface QuorumInputs {
  readonly leaderId: number;
  readonly term: number;
  /** Raft index -> match, for every voter (the leader's own included). */
  readonly matches: ReadonlyMap<number, number>;
  /** The leader's last Raft index. */
  readonly lastIndex: number;
  /** Metadata offset a log ending at a Raft index reaches (-1n unknown). */
  readonly offsetAt: (index: number) => bigint;
  readonly contact: (voter: number) => { readonly lastFetchMs: number; readonly lastCaughtUpMs: number };
  /** Each broker's latest heartbeat: its applied metadata offset and when it arrived (wall-clock ms). */
  readonly brokers: ReadonlyMap<number, { readonly offset: bigint; readonly atMs: number }>;
  /** Where each voter listens for Raft. */
  readonly voterAddresses: readonly { readonly nodeId: number; readonly host: string; readonly port: number }[];
  readonly nowMs: number;
}

export function describeQuorum(image: MetadataImage, inputs: QuorumInputs): QuorumDescription {
  const voters: QuorumReplica[] = [...inputs.matches.keys()]
    .sort((a, b) => a - b)
    .map((id) => {
      if (id === inputs.leaderId) {
        return {
          replicaId: id,
          logEndOffset: image.lastOffset,
          lastFetchTimestamp: -1n,
          lastCaughtUpTimestamp: BigInt(inputs.nowMs),
        };
      }
      const match = inputs.matches.get(id) ?? 0;
      const contact = inputs.contact(id);
      return {
        replicaId: id,
        // A voter level with the leader holds everything the image does, uncommitted tail or not.
        logEndOffset: match >= inputs.lastIndex ? image.lastOffset : inputs.offsetAt(match),
        lastFetchTimestamp: BigInt(contact.lastFetchMs),
        lastCaughtUpTimestamp: BigInt(contact.lastCaughtUpMs),
      };
    });
  const observers: QuorumReplica[] = image
    .brokers()
    .map((b) => b.brokerId)
    .sort((a, b) => a - b)
    .map((id) => {
      const heard = inputs.brokers.get(id);
      const caughtUp = heard !== undefined && heard.offset >= image.lastOffset;
      return {
        replicaId: id,
        logEndOffset: heard?.offset ?? -1n,
        lastFetchTimestamp: heard === undefined ? -1n : BigInt(heard.atMs),
        lastCaughtUpTimestamp: caughtUp ? BigInt(heard.atMs) : -1n,
      };
    });
  return {
    leaderId: inputs.leaderId,
    leaderEpoch: inputs.term,
    highWatermark: image.lastOffset,
    voters,
    observers,
    nodes: inputs.voterAddresses.map((v) => ({
      nodeId: v.nodeId,
      listeners: [{ name: 'CONTROLLER', host: v.host, port: v.port }],
    })),
  };
}
