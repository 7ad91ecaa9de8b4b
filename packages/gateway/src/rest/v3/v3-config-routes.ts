/**
 * Configs of topics, brokers and the cluster-wide broker defaults, each
 * with Confluent's five routes: list, get one, PUT one ({value}), DELETE one
 * (reset to its default) and POST `configs:alter` (a batch of SET/DELETE,
 * validate_only). Plus the two lists across owners: every topic's configs
 * (topics/-/configs) and every broker's (brokers/-/configs). Reads are
 * DescribeConfigs with synonyms; writes IncrementalAlterConfigs, answered
 * 204. A config the owner does not have is 404.
 */
import { ConfigAdmin, type DescribedResource, type KafkaClient } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { knownBroker } from './v3-broker-routes.ts';
import {
  type ConfigOwner,
  configData,
  configListKind,
  configResourceOf,
  configsPath,
  ownerName,
  sortConfigs,
} from './v3-config-shapes.ts';
import { throwUnlessNone } from './v3-kafka-errors.ts';
import { type AlterConfigsBody, configChangesFrom } from './v3-requests.ts';
import { collection } from './v3-resources.ts';
import {
  fanOutMax,
  intParam,
  intPathParam,
  mapBounded,
  notFound,
  stringPathParam,
  type V3Call,
  v3Route,
} from './v3-route-kit.ts';

interface OwnerRoutes {
  /** The path up to and including `configs` (or `broker-configs`), Fastify style. */
  prefix: string;
  label: string;
  params: Record<string, object>;
  owner: (call: V3Call, client: KafkaClient) => Promise<ConfigOwner>;
}

const alterSchema = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          value: { type: ['string', 'null'] },
          operation: { type: ['string', 'null'] },
        },
      },
    },
    validate_only: { type: 'boolean' },
  },
};

const updateSchema = { type: 'object', properties: { value: { type: ['string', 'null'] } } };

async function describe(client: KafkaClient, owner: ConfigOwner, keys?: string[]): Promise<DescribedResource> {
  const { kind, name } = configResourceOf(owner);
  const described = await new ConfigAdmin(client).describe(kind, name, {
    synonyms: true,
    ...(keys === undefined ? {} : { keys }),
  });
  throwUnlessNone(described.errorCode, described.errorMessage, ownerName(owner));
  return described;
}

async function alter(
  client: KafkaClient,
  owner: ConfigOwner,
  body: AlterConfigsBody,
  validateOnly: boolean,
): Promise<void> {
  const { kind, name } = configResourceOf(owner);
  const result = await new ConfigAdmin(client).alter(kind, name, configChangesFrom(body), { validateOnly });
  throwUnlessNone(result.errorCode, result.errorMessage, ownerName(owner));
}

function registerOwnerConfigRoutes(app: FastifyInstance, context: RestContext, routes: OwnerRoutes): void {
  const one = { ...routes.params, name: stringPathParam };
  v3Route(app, context, {
    method: 'GET',
    url: routes.prefix,
    summary: `List ${routes.label} Configs`,
    params: routes.params,
    handler: async (call, { client, urls }) => {
      const owner = await routes.owner(call, client);
      const described = await describe(client, owner);
      return collection(
        configListKind(owner),
        urls.url(...configsPath(owner)),
        sortConfigs(described.configs).map((c) => configData(urls, owner, c)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: `${routes.prefix}/:name`,
    summary: `Get ${routes.label} Config`,
    params: one,
    handler: async (call, { client, urls }) => {
      const owner = await routes.owner(call, client);
      const name = call.params.name ?? '';
      const found = (await describe(client, owner, [name])).configs.find((c) => c.name === name);
      if (found === undefined) throw notFound(`Config ${name} cannot be found for ${ownerName(owner)}.`);
      return configData(urls, owner, found);
    },
  });

  v3Route(app, context, {
    method: 'PUT',
    url: `${routes.prefix}/:name`,
    summary: `Update ${routes.label} Config (204)`,
    params: one,
    body: updateSchema,
    handler: async (call, { client }) => {
      const owner = await routes.owner(call, client);
      const value = (call.body as { value?: string | null } | undefined)?.value;
      if (value === undefined || value === null)
        throw new RestError(restErrorCodes.badRequest, 'The body must give the config a value.');
      await alter(client, owner, { data: [{ name: call.params.name ?? '', value }] }, false);
      call.reply.code(204).send();
      return undefined;
    },
  });

  v3Route(app, context, {
    method: 'DELETE',
    url: `${routes.prefix}/:name`,
    summary: `Reset ${routes.label} Config to its default (204)`,
    params: one,
    handler: async (call, { client }) => {
      const owner = await routes.owner(call, client);
      await alter(client, owner, { data: [{ name: call.params.name ?? '', operation: 'DELETE' }] }, false);
      call.reply.code(204).send();
      return undefined;
    },
  });

  v3Route(app, context, {
    method: 'POST',
    url: `${routes.prefix}::alter`,
    summary: `Batch Alter ${routes.label} Configs: SET or DELETE each, validate_only (204)`,
    params: routes.params,
    body: alterSchema,
    handler: async (call, { client }) => {
      const owner = await routes.owner(call, client);
      const body = call.body as AlterConfigsBody;
      await alter(client, owner, body, body.validate_only ?? false);
      call.reply.code(204).send();
      return undefined;
    },
  });
}

export function registerConfigRoutes(app: FastifyInstance, context: RestContext): void {
  registerOwnerConfigRoutes(app, context, {
    prefix: '/v3/clusters/:cluster_id/topics/:topic_name/configs',
    label: 'Topic',
    params: { topic_name: stringPathParam },
    owner: async (call) => ({ kind: 'topic', topic: call.params.topic_name ?? '' }),
  });
  registerOwnerConfigRoutes(app, context, {
    prefix: '/v3/clusters/:cluster_id/brokers/:broker_id/configs',
    label: 'Broker',
    params: { broker_id: intPathParam },
    owner: async (call, client) => {
      const brokerId = intParam(call, 'broker_id');
      await knownBroker(client, brokerId);
      return { kind: 'broker', brokerId };
    },
  });
  registerOwnerConfigRoutes(app, context, {
    prefix: '/v3/clusters/:cluster_id/broker-configs',
    label: 'Cluster',
    params: {},
    owner: async () => ({ kind: 'cluster' }),
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/-/configs',
    summary: 'Get All Topic Configs',
    handler: async (_call, { client, urls }) => {
      const names = (await client.metadata(null)).topics
        .filter((t) => t.errorCode === ErrorCode.NONE)
        .map((t) => t.name)
        .sort();
      const lists = await mapBounded(names, fanOutMax, async (topic) => {
        const owner: ConfigOwner = { kind: 'topic', topic };
        return sortConfigs((await describe(client, owner)).configs).map((c) => configData(urls, owner, c));
      });
      return collection('KafkaTopicConfigList', `${urls.url('topics')}/-/configs`, lists.flat());
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/brokers/-/configs',
    summary: 'List Dynamic Broker Configs of every broker',
    handler: async (_call, { client, urls }) => {
      const ids = (await client.metadata([])).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
      const lists = await mapBounded(ids, fanOutMax, async (brokerId) => {
        const owner: ConfigOwner = { kind: 'broker', brokerId };
        return sortConfigs((await describe(client, owner)).configs).map((c) => configData(urls, owner, c));
      });
      return collection('KafkaBrokerConfigList', `${urls.url('brokers')}/-/configs`, lists.flat());
    },
  });
}
