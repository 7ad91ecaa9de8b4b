/** Create (`POST /consumers/{group}`) and delete (`DELETE .../instances/{instance}`) v2 consumer instances. */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { type ConsumerInstances, sendV2 } from './consumer-instances.ts';
import { readCreateRequest } from './create-request.ts';
import { registerInstanceRoute } from './instance-route.ts';
import { createBody, groupParams, tags } from './route-schemas.ts';

export function registerInstanceRoutes(app: FastifyInstance, context: RestContext, instances: ConsumerInstances): void {
  app.post(
    '/consumers/:group',
    {
      schema: {
        tags,
        summary: 'Create a consumer instance in a group (any gateway serves it afterwards)',
        params: groupParams,
        body: createBody,
      },
    },
    async (request, reply) => {
      const { group } = request.params as { group: string };
      const parsed = readCreateRequest(request.body);
      if (!parsed.ok) {
        const code =
          parsed.code === 'invalid_config' ? restErrorCodes.invalidConsumerConfig : restErrorCodes.unprocessableEntity;
        throw new RestError(code, parsed.message);
      }
      const definition = await instances.create(group, parsed);
      const base = context.advertisedUrl;
      return sendV2(reply, {
        instance_id: definition.name,
        base_uri: `${base}/consumers/${encodeURIComponent(group)}/instances/${encodeURIComponent(definition.name)}`,
      });
    },
  );

  registerInstanceRoute(app, instances, {
    method: 'DELETE',
    path: '',
    summary: 'Delete a consumer instance: it leaves its group',
    handle: async (instance) => {
      await instances.delete(instance);
      return undefined;
    },
  });
}
