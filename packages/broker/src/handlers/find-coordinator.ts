/**
 * FindCoordinator (key 10, v0-2). Group and transaction coordinators arrive
 * in a later issue; until then every lookup answers
 * COORDINATOR_NOT_AVAILABLE (retriable). It is advertised anyway because
 * librdkafka enables consumer-group and LZ4 support only when it sees
 * FindCoordinator v0 in the ApiVersions table.
 */
import { ErrorCode, type FindCoordinatorResponse } from '@runnel/protocol';
import type { Handler } from './handler.ts';

export function findCoordinatorHandler(): Handler<10> {
  return {
    apiKey: 10,
    minVersion: 0,
    maxVersion: 2,
    async handle(): Promise<FindCoordinatorResponse> {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: 'Group coordination is not available yet',
        nodeId: -1,
        host: '',
        port: -1,
      };
    },
  };
}
