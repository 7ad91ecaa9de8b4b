/**
 * GET /v3/clusters and /v3/clusters/{cluster_id}: the one cluster the
 * gateway serves (Confluent's REST Proxy knows only the cluster its
 * bootstrap servers belong to). Its `controller` links the broker Metadata
 * names as the controller: as in Kafka 4's KRaft mode, where clients cannot
 * reach the controller quorum, that is a live broker taking admin requests
 * (it forwards them to the active controller), not a controller node, whose
 * id may not be a broker's at all.
 */
import type { KafkaClient } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { collection } from './v3-resources.ts';
import { v3Route } from './v3-route-kit.ts';
import { clusterData } from './v3-shapes.ts';

/** The broker Metadata names as the controller, or -1 when it names none the cluster lists. */
async function controllerBroker(client: KafkaClient): Promise<number> {
  const metadata = await client.metadata([]);
  return metadata.brokers.some((b) => b.nodeId === metadata.controllerId) ? metadata.controllerId : -1;
}

export function registerClusterRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters',
    summary: 'List Clusters: the one cluster this gateway serves',
    underCluster: false,
    handler: async (_call, scope) => {
      const self = `${scope.urls.base}/v3/clusters`;
      return collection('KafkaClusterList', self, [clusterData(scope.urls, await controllerBroker(scope.client))]);
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id',
    summary: 'Get Cluster',
    handler: async (_call, scope) => clusterData(scope.urls, await controllerBroker(scope.client)),
  });
}
