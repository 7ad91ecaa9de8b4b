/**
 * A broker's transaction-marker pieces, assembled: the host the marker
 * core writes through (this broker's partitions and metadata), the gRPC
 * transport to other leaders (TxnMarkers.Write), and the MarkerWriter the
 * transaction coordinator uses. Broker calls these; nothing here decides.
 */
import type { Logger } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import { TxnMarkersClient } from '@runnel/rpc';
import type { BrokerConfig } from '../config.ts';
import { topicLimits } from '../log-config.ts';
import type { Partition } from '../replication/partition.ts';
import { BrokerMarkerWriter, imageRouting, type MarkerTransport } from './broker-marker-writer.ts';
import {
  applyTxnMarkers,
  type ConsumerOffsetsMarkerHook,
  type TxnMarkerHost,
  txnMarkerTimeoutMsDefault,
} from './txn-marker-apply.ts';

/** The marker core's view of a broker: its latest image and the replicas it hosts. */
export function brokerMarkerHost(deps: {
  readonly config: BrokerConfig;
  readonly image: () => MetadataImage;
  readonly partition: (topic: string, index: number) => Partition | undefined;
  readonly onConsumerOffsetsMarker: ConsumerOffsetsMarkerHook | undefined;
  readonly logger: Logger;
}): TxnMarkerHost {
  return {
    exists: (topic, index) => deps.image().partition(topic, index) !== undefined,
    partition: deps.partition,
    minInsyncReplicas: (topic) => topicLimits(deps.image(), topic, deps.config).minInsyncReplicas,
    timeoutMs: txnMarkerTimeoutMsDefault,
    ...(deps.onConsumerOffsetsMarker === undefined ? {} : { onConsumerOffsetsMarker: deps.onConsumerOffsetsMarker }),
    logger: deps.logger.child({ component: 'txn-markers' }),
  };
}

/**
 * One client per leader address, made on first use and kept (a broker has
 * few peers); close() closes them all and later writes resolve `closed`.
 */
export function grpcMarkerTransport(logger: Logger): MarkerTransport {
  const clients = new Map<string, TxnMarkersClient>();
  let closed = false;
  const clientFor = (address: string): TxnMarkersClient => {
    let client = clients.get(address);
    if (client === undefined) {
      client = new TxnMarkersClient({ address, logger });
      if (!closed) clients.set(address, client);
      else client.close();
    }
    return client;
  };
  return {
    write: (address, request, timeoutMs) => clientFor(address).write(request, timeoutMs),
    verify: (address, request, timeoutMs) => clientFor(address).verify(request, timeoutMs),
    close() {
      closed = true;
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}

/**
 * A broker's MarkerWriter: markers on partitions this broker leads go
 * through `host` directly, the others to their leaders over gRPC, routed
 * by the broker's latest metadata image.
 */
export function brokerMarkerWriter(deps: {
  readonly nodeId: number;
  readonly image: () => MetadataImage;
  readonly host: TxnMarkerHost;
  /** Shared with the broker's verifier; closing the writer closes it. */
  readonly transport: MarkerTransport;
  readonly logger: Logger;
}): BrokerMarkerWriter {
  const logger = deps.logger.child({ component: 'marker-writer' });
  return new BrokerMarkerWriter({
    nodeId: deps.nodeId,
    routing: imageRouting(deps.image),
    local: (entries) => applyTxnMarkers(deps.host, entries),
    transport: deps.transport,
    logger,
  });
}
