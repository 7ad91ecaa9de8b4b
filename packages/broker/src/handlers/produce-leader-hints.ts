/**
 * KIP-951 leader discovery for Produce v10+ and Fetch v16+: a partition
 * answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names its current
 * leader and leader epoch (currentLeader), and the response lists those
 * leaders' endpoints (nodeEndpoints), so the client re-routes without a
 * Metadata round trip. Both come from this broker's metadata image; a
 * leader that is unknown or fenced gets no endpoint, and the client then
 * falls back to Metadata as before.
 *
 * The common answer (no such error) is returned as it is: one scan of the
 * error codes, no allocation.
 */
import type { MetadataImage } from '@runnel/metadata';
import { ErrorCode, type ProduceResponse } from '@runnel/protocol';

/** The first Produce version whose responses carry leader hints. */
export const leaderHintVersionMin = 10;
/** The first Fetch version whose responses carry node endpoints (currentLeader is there from v12). */
export const fetchLeaderHintVersionMin = 16;

export type NodeEndpoint = NonNullable<ProduceResponse['nodeEndpoints']>[number];

export function wantsLeaderHint(errorCode: number): boolean {
  return errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || errorCode === ErrorCode.FENCED_LEADER_EPOCH;
}

/** Same host/port choice as the Metadata handler: a broker's first advertised listener. */
function endpointOf(image: MetadataImage, brokerId: number): NodeEndpoint | undefined {
  const registration = image.broker(brokerId);
  const listener = registration?.listeners[0];
  if (registration === undefined || registration.fenced || listener === undefined) return undefined;
  return { nodeId: brokerId, host: listener.host, port: listener.port, rack: registration.rack };
}

/**
 * The current leader of `topic`-`index` as the image knows it (-1 / -1 when
 * it does not), adding the leader's endpoint to `endpoints` when it has one.
 */
export function currentLeaderHint(
  image: MetadataImage,
  topic: string,
  index: number,
  endpoints: Map<number, NodeEndpoint>,
): { leaderId: number; leaderEpoch: number } {
  const partition = image.partition(topic, index);
  const leaderId = partition === undefined || partition.leader < 0 ? -1 : partition.leader;
  const leaderEpoch = partition === undefined ? -1 : partition.leaderEpoch;
  if (leaderId >= 0 && !endpoints.has(leaderId)) {
    const endpoint = endpointOf(image, leaderId);
    if (endpoint !== undefined) endpoints.set(leaderId, endpoint);
  }
  return { leaderId, leaderEpoch };
}

/** `response` with leader hints on its refused partitions; the same object when none needs one. */
export function withLeaderHints(response: ProduceResponse, image: MetadataImage): ProduceResponse {
  const needed = response.responses.some((t) => t.partitionResponses.some((p) => wantsLeaderHint(p.errorCode)));
  if (!needed) return response;
  const endpoints = new Map<number, NodeEndpoint>();
  const responses = response.responses.map((topic) => {
    // v13+ answers name topics by id.
    const name = topic.name ?? image.topicById(topic.topicId ?? '')?.name ?? '';
    return {
      ...topic,
      partitionResponses: topic.partitionResponses.map((p) =>
        wantsLeaderHint(p.errorCode) ? { ...p, currentLeader: currentLeaderHint(image, name, p.index, endpoints) } : p,
      ),
    };
  });
  return { ...response, responses, nodeEndpoints: [...endpoints.values()] };
}
