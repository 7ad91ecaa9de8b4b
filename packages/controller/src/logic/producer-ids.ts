/**
 * Producer id blocks as a pure function (Kafka's AllocateProducerIds,
 * KIP-730): a registered broker of the current epoch gets the next
 * `producerIdBlockSize` ids. The record that moves `nextProducerId` on is
 * committed before the broker hears of the block, so an id is never handed
 * out twice, whatever fails over; ids a broker had not used when it died
 * are simply never used (as in Kafka).
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { MetadataImage, MetadataRecord } from '@runnel/metadata';
import type { AllocateProducerIdsError, AllocateProducerIdsRequest, ProducerIdBlock } from '@runnel/rpc';

/** Ids per block: Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
export const producerIdBlockSize = 1000;

/** The largest producer id: an int64, less a block so the arithmetic never overflows. */
const producerIdMax = 2n ** 63n - 1n - BigInt(producerIdBlockSize);

export function allocateProducerIds(
  image: MetadataImage,
  req: AllocateProducerIdsRequest,
): { records: MetadataRecord[]; result: Result<ProducerIdBlock, AllocateProducerIdsError> } {
  const broker = image.broker(req.brokerId);
  if (broker === undefined) {
    return { records: [], result: err('unknown_broker', `Broker ${req.brokerId} is not registered.`) };
  }
  if (broker.brokerEpoch !== req.brokerEpoch) {
    const message = `Broker ${req.brokerId} epoch ${req.brokerEpoch} is not the registered ${broker.brokerEpoch}.`;
    return { records: [], result: err('stale_broker_epoch', message) };
  }
  const firstProducerId = image.nextProducerId;
  // 2^63 ids at 1000 a block: never reached in practice; a bug if it is.
  if (firstProducerId > producerIdMax) throw new Error('producer ids exhausted');
  const nextProducerId = firstProducerId + BigInt(producerIdBlockSize);
  return {
    records: [{ type: 'producer-ids', brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, nextProducerId }],
    result: ok({ firstProducerId, size: producerIdBlockSize }),
  };
}
