/**
 * Broker registration as a pure function. A broker's epoch is the offset of
 * its registration record, so it grows with every registration and a stale
 * broker can always be told apart from the current one.
 *
 * Until heartbeats exist, "still alive" means "registered with this
 * controller since it started" (the caller's `sessions`): another incarnation
 * claiming a live id is refused; after a controller restart the sessions are
 * empty and a restarted broker is accepted with a new epoch.
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import type { ConfigMap, MetadataImage, MetadataRecord, RegisterBrokerRequest } from '@runnel/metadata';
import { replayBatch } from '@runnel/metadata';
import { fenceBroker, forgetUncleanReplica } from './broker-fencing.ts';

export function registerBroker(
  image: MetadataImage,
  req: RegisterBrokerRequest,
  sessions: ReadonlyMap<number, string>,
): { records: MetadataRecord[]; result: Result<{ brokerEpoch: bigint }, 'duplicate_broker_registration'> } {
  assert(Number.isInteger(req.brokerId) && req.brokerId >= 0, `broker id ${req.brokerId}`);
  const active = sessions.get(req.brokerId);
  if (active !== undefined && active !== req.incarnationId) {
    const message = `Broker ${req.brokerId} is already registered by incarnation ${active}.`;
    return { records: [], result: err('duplicate_broker_registration', message) };
  }
  const brokerEpoch = image.lastOffset + 1n;
  const record: MetadataRecord = {
    type: 'register-broker',
    brokerId: req.brokerId,
    incarnationId: req.incarnationId,
    brokerEpoch,
    listeners: req.listeners.map((l) => ({ ...l })),
    rack: req.rack,
  };
  return { records: [record], result: ok({ brokerEpoch }) };
}

type Registration = ReturnType<typeof registerBroker>;

function replayDraft(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

/**
 * Registration as the quorum does it: the broker is registered fenced (its
 * heartbeats unfence it once it has caught up with metadata), and after an
 * unclean shutdown it stops being an eligible leader anywhere (KIP-966), so
 * a survivor that lost unflushed records is never elected over replicas
 * that hold every committed one. `fenced` = false keeps the broker live on
 * registration (the single-node controller, which has no heartbeats).
 */
export function registerBrokerWithElr(
  image: MetadataImage,
  req: RegisterBrokerRequest,
  sessions: ReadonlyMap<number, string>,
  options: { readonly fenced: boolean; readonly brokerConfig: ConfigMap },
): Registration {
  const registration = registerBroker(image, req, sessions);
  if (!registration.result.ok) return registration;
  const records = [...registration.records];
  let draft = replayDraft(image, records);
  if (options.fenced) {
    const fence = fenceBroker(draft, req.brokerId, options.brokerConfig);
    records.push(...fence);
    draft = replayDraft(draft, fence);
  }
  if (!req.previousShutdownClean) records.push(...forgetUncleanReplica(draft, req.brokerId, options.brokerConfig));
  return { records, result: registration.result };
}
