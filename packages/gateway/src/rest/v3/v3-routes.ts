/**
 * REST Proxy v3 (Confluent's admin resources): clusters, brokers, topics,
 * partitions, replicas, topic/broker/cluster configs, consumer groups with
 * consumers, assignments and lags, partition reassignments, and the ACL
 * routes (answered "security disabled": Runnel has no ACLs yet). One file
 * per resource; records (produce and consume) are v3-records/.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { registerAclRoutes } from './v3-acl-routes.ts';
import { registerBrokerRoutes } from './v3-broker-routes.ts';
import { registerClusterRoutes } from './v3-cluster-routes.ts';
import { registerConfigRoutes } from './v3-config-routes.ts';
import { registerGroupRoutes } from './v3-group-routes.ts';
import { registerLagRoutes } from './v3-lag-routes.ts';
import { registerPartitionRoutes } from './v3-partition-routes.ts';
import { registerReassignmentRoutes } from './v3-reassignment-routes.ts';
import { registerTopicRoutes } from './v3-topic-routes.ts';

export function registerV3Routes(app: FastifyInstance, context: RestContext): void {
  registerClusterRoutes(app, context);
  registerBrokerRoutes(app, context);
  registerTopicRoutes(app, context);
  registerPartitionRoutes(app, context);
  registerReassignmentRoutes(app, context);
  registerConfigRoutes(app, context);
  registerGroupRoutes(app, context);
  registerLagRoutes(app, context);
  registerAclRoutes(app, context);
}
