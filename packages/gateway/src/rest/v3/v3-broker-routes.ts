/**
 * Brokers: GET /v3/clusters/{id}/brokers, /brokers/{broker_id} and
 * /brokers/{broker_id}/partition-replicas (every replica the broker holds),
 * from cluster metadata. An unknown broker id is 404.
 */
import type { BrokerInfo, KafkaClient } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { collection } from './v3-resources.ts';
import { intParam, intPathParam, notFound, v3Route } from './v3-route-kit.ts';
import { brokerData, replicasOnBroker } from './v3-shapes.ts';

/** The live broker with this id; 404 when the cluster has none. */
export async function knownBroker(client: KafkaClient, brokerId: number): Promise<BrokerInfo> {
  const broker = (await client.metadata([])).brokers.find((b) => b.nodeId === brokerId);
  if (broker === undefined) throw notFound(`Broker ${brokerId} cannot be found.`);
  return broker;
}

export function registerBrokerRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/brokers',
    summary: 'List Brokers',
    handler: async (_call, { client, urls }) => {
      const brokers = [...(await client.metadata([])).brokers].sort((a, b) => a.nodeId - b.nodeId);
      return collection(
        'KafkaBrokerList',
        urls.url('brokers'),
        brokers.map((b) => brokerData(urls, b)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/brokers/:broker_id',
    summary: 'Get Broker',
    params: { broker_id: intPathParam },
    handler: async (call, { client, urls }) => brokerData(urls, await knownBroker(client, intParam(call, 'broker_id'))),
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/brokers/:broker_id/partition-replicas',
    summary: 'Search Replicas by Broker',
    params: { broker_id: intPathParam },
    handler: async (call, { client, urls }) => {
      const brokerId = intParam(call, 'broker_id');
      await knownBroker(client, brokerId);
      const topics = (await client.metadata(null)).topics;
      return collection(
        'KafkaReplicaList',
        urls.url('brokers', brokerId, 'partition-replicas'),
        replicasOnBroker(urls, topics, brokerId),
      );
    },
  });
}
