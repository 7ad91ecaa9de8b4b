/**
 * The ElectLeaders handler's mapping at the boundary, against a stub
 * controller channel: the controller's closed union becomes Kafka codes per
 * partition, results are grouped by topic, and a controller that does not
 * answer becomes NOT_CONTROLLER — at the top from v1, and only on the
 * partitions at v0, which has no top-level error code.
 */
import { err, ok, silentLogger } from '@runnel/common';
import { ControllerUnavailableError, type ElectLeadersResult, MetadataImage } from '@runnel/metadata';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { electLeadersHandler } from '../src/handlers/admin-elect-leaders.ts';
import type { BrokerContext, RequestContext } from '../src/handlers/handler.ts';

/**
 * Only what the handler reads: the controller, the partition manager's
 * settled(), the logger and the image. The rest of BrokerContext is never
 * touched, hence the cast.
 */
function brokerWith(electLeaders: () => Promise<ElectLeadersResult[]>): BrokerContext {
  const stub = {
    controller: { call: (op: string) => (op === 'electLeaders' ? electLeaders() : Promise.reject(new Error(op))) },
    partitions: { settled: () => Promise.resolve() },
    logger: silentLogger(),
    image: () => MetadataImage.empty,
  };
  return stub as unknown as BrokerContext;
}

function at(apiVersion: number): RequestContext {
  return { header: { apiKey: 43, apiVersion, correlationId: 1, clientId: 'test' } } as unknown as RequestContext;
}

const request = {
  electionType: 0,
  topicPartitions: [
    { topic: 'a', partitions: [0, 1, 2] },
    { topic: 'b', partitions: [0] },
  ],
  timeoutMs: 1000,
};

describe('electLeadersHandler', () => {
  it('maps each controller outcome to its Kafka code, grouped by topic, with the messages', async () => {
    const handler = electLeadersHandler(
      brokerWith(async () => [
        { topic: 'a', partition: 0, result: ok(null) },
        { topic: 'a', partition: 1, result: err('election_not_needed', 'already') },
        { topic: 'a', partition: 2, result: err('preferred_leader_not_available', 'down') },
        { topic: 'b', partition: 0, result: err('unknown_topic_or_partition') },
      ]),
    );
    expect(await handler.handle(request, at(2))).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: [
        {
          topic: 'a',
          partitionResult: [
            { partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null },
            { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'already' },
            { partitionId: 2, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'down' },
          ],
        },
        {
          topic: 'b',
          partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null }],
        },
      ],
    });
  });

  it.each([
    [1, ErrorCode.NOT_CONTROLLER],
    [2, ErrorCode.NOT_CONTROLLER],
    [0, ErrorCode.NONE],
  ])('no controller answering at v%i: top-level code %i, NOT_CONTROLLER on every partition', async (version, top) => {
    const handler = electLeadersHandler(brokerWith(() => Promise.reject(new ControllerUnavailableError('no leader'))));
    const response = await handler.handle(request, at(version));
    expect(response?.errorCode).toBe(top);
    const codes = response?.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => p.errorCode));
    expect(codes).toEqual([41, 41, 41, 41]);
  });

  it('any other controller failure is a bug and propagates', async () => {
    const handler = electLeadersHandler(brokerWith(() => Promise.reject(new TypeError('boom'))));
    await expect(handler.handle(request, at(2))).rejects.toThrow('boom');
  });
});
