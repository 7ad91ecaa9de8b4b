/**
 * GET /v3/clusters and /v3/clusters/{cluster_id}: the one cluster the
 * gateway serves (Confluent's REST Proxy knows only the cluster its
 * bootstrap servers belong to). Its `controller` links the broker that is
 * the active controller, from DescribeCluster; when the controllers run as
 * their own processes no broker is, and the link is left out (Confluent's
 * schema makes it optional).
 */
import { ClusterAdmin, type KafkaClient } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { collection } from './v3-resources.ts';
import { v3Route } from './v3-route-kit.ts';
import { clusterData } from './v3-shapes.ts';

/** The active controller's id when it is one of the brokers, else -1. */
async function controllerBroker(client: KafkaClient): Promise<number> {
  const cluster = await new ClusterAdmin(client).describeCluster();
  return cluster.brokers.some((b) => b.nodeId === cluster.controllerId) ? cluster.controllerId : -1;
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
