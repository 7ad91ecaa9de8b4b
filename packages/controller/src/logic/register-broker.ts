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
import type { MetadataImage, MetadataRecord, RegisterBrokerRequest } from '@runnel/metadata';

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
