/**
 * Confluent's ACL routes (/v3/clusters/{id}/acls: search, create, delete;
 * /acls:batch). Runnel has no authorizer yet, so every one answers as
 * Confluent's REST Proxy does in front of a Kafka cluster without one:
 * Kafka's SECURITY_DISABLED, which Confluent maps to 400 with code 40002.
 * The cluster id is still checked first (404 for an unknown one).
 */
import { ErrorCode } from '@runnel/protocol';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { kafkaRestError } from './v3-kafka-errors.ts';
import { v3Route } from './v3-route-kit.ts';

/** Kafka's SecurityDisabledException text, with what it means for this gateway. */
export const aclsDisabledMessage =
  'No Authorizer is configured on the broker: Runnel does not support ACLs yet, so there are none to list, create or delete.';

const aclRoutes: readonly { method: HTTPMethods; url: string; summary: string }[] = [
  { method: 'GET', url: '/v3/clusters/:cluster_id/acls', summary: 'Search ACLs (ACLs are not enabled: 400 40002)' },
  { method: 'POST', url: '/v3/clusters/:cluster_id/acls', summary: 'Create an ACL (ACLs are not enabled: 400 40002)' },
  { method: 'DELETE', url: '/v3/clusters/:cluster_id/acls', summary: 'Delete ACLs (ACLs are not enabled: 400 40002)' },
  {
    method: 'POST',
    url: '/v3/clusters/:cluster_id/acls::batch',
    summary: 'Batch Create ACLs (ACLs are not enabled: 400 40002)',
  },
];

export function registerAclRoutes(app: FastifyInstance, context: RestContext): void {
  for (const route of aclRoutes) {
    v3Route(app, context, {
      ...route,
      handler: async () => {
        throw kafkaRestError(ErrorCode.SECURITY_DISABLED, aclsDisabledMessage, 'acls');
      },
    });
  }
}
