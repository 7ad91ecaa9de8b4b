/**
 * A broker heartbeat as a pure function of the image and the active
 * controller's sessions: keeps the session alive, unfences a broker once it
 * has replayed metadata up to its own registration (so it knows every topic
 * it hosts), drives controlled shutdown (move leadership away, then
 * fence, then tell the broker it may exit), and moves leadership off a
 * broker whose log directory is offline (moveOffOfflineLogDir).
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  BrokerHeartbeat,
  BrokerHeartbeatError,
  BrokerHeartbeatReply,
  ConfigMap,
  MetadataImage,
  MetadataRecord,
} from '@runnel/metadata';
import { fenceBroker, moveOffOfflineLogDir, shutDownBroker, unfenceBroker } from './broker-fencing.ts';
import type { BrokerSessions } from './broker-sessions.ts';

export function brokerHeartbeat(
  image: MetadataImage,
  sessions: BrokerSessions,
  req: BrokerHeartbeat,
  nowMs: number,
  brokerConfig: ConfigMap,
): { records: MetadataRecord[]; result: Result<BrokerHeartbeatReply, BrokerHeartbeatError> } {
  const broker = image.broker(req.brokerId);
  if (broker === undefined) {
    return { records: [], result: err('unknown_broker', `Broker ${req.brokerId} is not registered; register first.`) };
  }
  if (broker.brokerEpoch !== req.brokerEpoch) {
    const message = `Broker ${req.brokerId} epoch ${req.brokerEpoch} is stale (current ${broker.brokerEpoch}); register again.`;
    return { records: [], result: err('stale_broker_epoch', message) };
  }
  sessions.touch(broker.brokerId, broker.incarnationId, broker.brokerEpoch, nowMs);
  const caughtUp = req.metadataOffset >= broker.brokerEpoch;
  if (req.wantShutDown) {
    const moves = shutDownBroker(image, req.brokerId, brokerConfig);
    if (moves.length > 0) {
      return { records: moves, result: ok({ fenced: broker.fenced, caughtUp, shouldShutDown: false }) };
    }
    const fence = fenceBroker(image, req.brokerId, brokerConfig);
    // Told to exit, this incarnation is done: its session ends here, so the next one registers without waiting it out.
    sessions.remove(req.brokerId);
    return { records: fence, result: ok({ fenced: true, caughtUp, shouldShutDown: true }) };
  }
  if ((req.offlineLogDirs?.length ?? 0) > 0) {
    // Not unfenced meanwhile either: a broker whose only directory is offline can serve nothing.
    const moves = moveOffOfflineLogDir(image, req.brokerId, brokerConfig);
    return { records: moves, result: ok({ fenced: broker.fenced, caughtUp, shouldShutDown: false }) };
  }
  if (broker.fenced && caughtUp) {
    return {
      records: unfenceBroker(image, req.brokerId, brokerConfig),
      result: ok({ fenced: false, caughtUp, shouldShutDown: false }),
    };
  }
  return { records: [], result: ok({ fenced: broker.fenced, caughtUp, shouldShutDown: false }) };
}

/** Records fencing every broker whose session ran out (one broker at a time, each against the updated image). */
export function expireSessions(
  image: MetadataImage,
  sessions: BrokerSessions,
  nowMs: number,
  replayDraft: (image: MetadataImage, records: readonly MetadataRecord[]) => MetadataImage,
  brokerConfig: ConfigMap,
): { records: MetadataRecord[]; fenced: number[] } {
  const records: MetadataRecord[] = [];
  const fenced: number[] = [];
  let draft = image;
  for (const brokerId of sessions.expired(nowMs)) {
    sessions.remove(brokerId);
    const fence = fenceBroker(draft, brokerId, brokerConfig);
    if (fence.length === 0) continue;
    records.push(...fence);
    fenced.push(brokerId);
    draft = replayDraft(draft, fence);
  }
  return { records, fenced };
}
