/**
 * DescribeCluster (key 60, v0-2): the cluster id and live brokers from this
 * broker's image, and the active controller's id from the controller (this
 * broker's own id when the controller runs in-process, -1 when none
 * answers). Authorized operations, when asked for, are all the cluster
 * supports (Runnel has no authorizer; Kafka answers so without one); else
 * INT32_MIN, Kafka's "not provided".
 * controllers endpoint (KIP-919) gets MISMATCHED_ENDPOINT_TYPE. v2 asks
 * for fenced brokers too (KIP-1073): every registered broker, each with its
 * isFenced flag, so an operator can find one that is registered but down.
 */
import { ControllerUnavailableError } from '@runnel/metadata';
import { type DescribeClusterRequest, type DescribeClusterResponse, ErrorCode } from '@runnel/protocol';
import { authorizedOperations } from '../authorized-operations.ts';
import type { BrokerContext, Handler } from './handler.ts';

const endpointBrokers = 1;

export function describeClusterHandler(broker: BrokerContext): Handler<60> {
  return {
    apiKey: 60,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: DescribeClusterRequest): Promise<DescribeClusterResponse> {
      const base = {
        throttleTimeMs: 0,
        endpointType: request.endpointType ?? endpointBrokers,
        clusterId: broker.clusterId(),
        clusterAuthorizedOperations: authorizedOperations('cluster', request.includeClusterAuthorizedOperations),
      };
      if (base.endpointType !== endpointBrokers) {
        return {
          ...base,
          errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE,
          errorMessage: 'This is a broker; it describes the brokers endpoint only.',
          controllerId: -1,
          brokers: [],
        };
      }
      let controllerId = -1;
      try {
        controllerId = (await broker.controller.call('describeCluster', {})).controllerId;
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'DescribeCluster: no controller answered');
      }
      const image = broker.image();
      // includeFencedBrokers is false below v2 (the codec's default for an absent field).
      const brokers = (request.includeFencedBrokers ? image.brokers() : image.liveBrokers()).map((b) => {
        const listener = b.listeners[0];
        return {
          brokerId: b.brokerId,
          host: listener?.host ?? '',
          port: listener?.port ?? 0,
          rack: b.rack,
          isFenced: b.fenced,
        };
      });
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, controllerId, brokers };
    },
  };
}
