/** A v2 consumer instance's subscription (topics or a pattern) and manual assignment. */
import type { FastifyInstance } from 'fastify';
import { RestError, restErrorCodes } from '../rest-error.ts';
import type { ConsumerInstances } from './consumer-instances.ts';
import { registerInstanceRoute } from './instance-route.ts';
import { assign, type StateError, subscribe, unsubscribe } from './instance-state.ts';
import { partitionsBody, subscriptionBody, type TopicPartitionBody } from './route-schemas.ts';

export function registerSubscriptionRoutes(app: FastifyInstance, instances: ConsumerInstances): void {
  registerInstanceRoute(app, instances, {
    method: 'POST',
    path: '/subscription',
    summary: 'Subscribe to topics (or a topic pattern): the group assigns partitions',
    body: subscriptionBody,
    handle: async (instance, request) => {
      const body = request.body as { topics?: string[]; topic_pattern?: string };
      const topics = body.topics ?? null;
      const pattern = body.topic_pattern ?? null;
      if ((topics === null) === (pattern === null)) {
        throw new RestError(restErrorCodes.unprocessableEntity, 'give either topics or topic_pattern');
      }
      if (pattern !== null) checkPattern(pattern);
      const decided = subscribe(instance.definition.target, { topics, pattern });
      if (!decided.ok) throw stateError(decided.error);
      await instances.retarget(instance, decided.value);
      return undefined;
    },
  });

  registerInstanceRoute(app, instances, {
    method: 'GET',
    path: '/subscription',
    summary: 'The topics the instance is subscribed to',
    handle: async (instance) => ({ topics: instance.subscription() }),
  });

  registerInstanceRoute(app, instances, {
    method: 'DELETE',
    path: '/subscription',
    summary: 'Unsubscribe (also clears a manual assignment)',
    handle: async (instance) => {
      await instances.retarget(instance, unsubscribe());
      return undefined;
    },
  });

  registerInstanceRoute(app, instances, {
    method: 'POST',
    path: '/assignments',
    summary: 'Assign partitions manually (no group membership)',
    body: partitionsBody,
    handle: async (instance, request) => {
      const { partitions } = request.body as { partitions: TopicPartitionBody[] };
      const decided = assign(instance.definition.target, partitions);
      if (!decided.ok) throw stateError(decided.error);
      await instances.retarget(instance, decided.value);
      return undefined;
    },
  });

  registerInstanceRoute(app, instances, {
    method: 'GET',
    path: '/assignments',
    summary: 'The partitions the instance holds now',
    handle: async (instance) => ({ partitions: instance.assignment() }),
  });
}

export function stateError(error: StateError): RestError {
  return new RestError(restErrorCodes.illegalState, `Illegal state: ${error.message}`);
}

function checkPattern(pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new RestError(restErrorCodes.unprocessableEntity, `topic_pattern: ${(error as Error).message}`);
  }
}
