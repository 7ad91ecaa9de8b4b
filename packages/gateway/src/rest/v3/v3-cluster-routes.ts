/**
 * GET /v3/clusters and /v3/clusters/{cluster_id}: the one cluster the
 * gateway serves (Confluent's REST Proxy knows only the cluster its
 * bootstrap servers belong to), with the active controller from
 * DescribeCluster.
 */
import { ClusterAdmin } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { collection } from './v3-resources.ts';
import { v3Route } from './v3-route-kit.ts';
import { clusterData } from './v3-shapes.ts';

export function registerClusterRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters',
    summary: 'List Clusters: the one cluster this gateway serves',
    underCluster: false,
    handler: async (_call, scope) => {
      const cluster = await new ClusterAdmin(scope.client).describeCluster();
      const self = `${scope.urls.base}/v3/clusters`;
      return collection('KafkaClusterList', self, [clusterData(scope.urls, cluster.controllerId)]);
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id',
    summary: 'Get Cluster',
    handler: async (_call, scope) => {
      const cluster = await new ClusterAdmin(scope.client).describeCluster();
      return clusterData(scope.urls, cluster.controllerId);
    },
  });
}
