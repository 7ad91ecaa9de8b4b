/**
 * GET /ui/api/overview: the cluster overview page's data — brokers, the
 * controllers' quorum, and partitions offline or under-replicated.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';
import { brokerRows, partitionHealth } from './cluster-health.ts';
import { readLogDirSizes, readQuorum } from './cluster-reads.ts';
import type { OverviewAnswer } from './console-api-types.ts';

export function registerOverviewRoutes(app: FastifyInstance, context: RestContext): void {
  app.get(
    '/ui/api/overview',
    { schema: { summary: 'Brokers, controller quorum and partition health', tags: ['console'] } },
    async (): Promise<OverviewAnswer> => {
      const client = context.client();
      const metadata = await client.metadata(null);
      const [logDirs, quorum] = await Promise.all([readLogDirSizes(client, metadata, null), readQuorum(client)]);
      const health = partitionHealth(metadata);
      return {
        clusterId: metadata.clusterId,
        controllerId: metadata.controllerId,
        brokers: brokerRows(metadata, logDirs.sizes, logDirs.answered),
        quorum,
        topics: metadata.topics.length,
        partitions: { total: health.total, underReplicated: health.underReplicated, offline: health.offline },
        problemPartitions: health.problems,
        problemPartitionsTruncated: health.truncated,
      };
    },
  );
}
