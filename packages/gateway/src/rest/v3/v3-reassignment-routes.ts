/**
 * Ongoing partition reassignments (ListPartitionReassignments): every one
 * in the cluster (topics/-/partitions/-/reassignment), a topic's
 * (topics/{t}/partitions/-/reassignment) and one partition's
 * (topics/{t}/partitions/{p}/reassignment, 404 when none is in progress).
 * Confluent's v3 API has no route that starts one; Runnel follows it (start
 * one with any Kafka admin client or `runnel partitions`).
 */
import { ClusterAdmin } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { throwUnlessNone } from './v3-kafka-errors.ts';
import { knownPartition } from './v3-partition-routes.ts';
import { collection } from './v3-resources.ts';
import { intParam, intPathParam, notFound, stringPathParam, v3Route } from './v3-route-kit.ts';
import { reassignmentData, sortReassignments } from './v3-shapes.ts';
import { knownTopic } from './v3-topic-routes.ts';

export function registerReassignmentRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/-/partitions/-/reassignment',
    summary: 'List All Replica Reassignments',
    handler: async (_call, { client, urls }) => {
      const listing = await new ClusterAdmin(client).listReassignments();
      throwUnlessNone(listing.errorCode, listing.errorMessage, 'reassignments');
      return collection(
        'KafkaReassignmentList',
        `${urls.url('topics')}/-/partitions/-/reassignment`,
        sortReassignments(listing.reassignments).map((r) => reassignmentData(urls, r)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name/partitions/-/reassignment',
    summary: 'Search Replica Reassignments By Topic',
    params: { topic_name: stringPathParam },
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      await knownTopic(client, name);
      const listing = await new ClusterAdmin(client).listReassignments();
      throwUnlessNone(listing.errorCode, listing.errorMessage, 'reassignments');
      return collection(
        'KafkaReassignmentList',
        `${urls.url('topics', name, 'partitions')}/-/reassignment`,
        sortReassignments(listing.reassignments.filter((r) => r.topic === name)).map((r) => reassignmentData(urls, r)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name/partitions/:partition_id/reassignment',
    summary: 'Get Replica Reassignments (404 when none is in progress)',
    params: { topic_name: stringPathParam, partition_id: intPathParam },
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      const partition = intParam(call, 'partition_id');
      await knownPartition(client, name, partition);
      const listing = await new ClusterAdmin(client).listReassignments([{ topic: name, partition }]);
      throwUnlessNone(listing.errorCode, listing.errorMessage, 'reassignments');
      const found = listing.reassignments.find((r) => r.topic === name && r.partition === partition);
      if (found === undefined) throw notFound(`No reassignment of partition ${name}-${partition} is in progress.`);
      return reassignmentData(urls, found);
    },
  });
}
