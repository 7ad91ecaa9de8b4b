/** GET /ui/api/rates: the cluster's produce and consume rates, in all and per topic, for the live charts. */
import type { FastifyInstance } from 'fastify';
import type { RatesAnswer } from './console-api-types.ts';
import type { RateSampler } from './rate-sampler.ts';

export function registerRateRoutes(app: FastifyInstance, rates: RateSampler): void {
  app.get(
    '/ui/api/rates',
    {
      schema: {
        summary: "Produce and consume rates from the brokers' metrics (or log-end offsets when none are known)",
        tags: ['console'],
      },
    },
    async (): Promise<RatesAnswer> => rates.rates(),
  );
}
