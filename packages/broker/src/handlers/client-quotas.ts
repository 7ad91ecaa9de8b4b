/**
 * DescribeClientQuotas (key 48) and AlterClientQuotas (key 49), v0-1.
 * Describe is answered from this broker's metadata image, as a KRaft
 * broker answers it from its own; alter is forwarded to the active
 * controller (logic/alter-client-quotas.ts there), which writes quota
 * records every broker replays. Bad filters answer INVALID_REQUEST, an
 * unknown entity type UNSUPPORTED_VERSION (Kafka's codes); a refused alter
 * entry INVALID_REQUEST with the reason.
 */
import type { ClientQuotaError } from '@runnel/metadata';
import { ControllerUnavailableError, describeClientQuotas, entityParts } from '@runnel/metadata';
import type {
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
} from '@runnel/protocol';
import { ErrorCode } from '@runnel/protocol';
import type { BrokerContext, Handler } from './handler.ts';

const describeErrors: Record<ClientQuotaError, number> = {
  invalid_request: ErrorCode.INVALID_REQUEST,
  unsupported_entity_type: ErrorCode.UNSUPPORTED_VERSION,
};

export function describeClientQuotasHandler(broker: BrokerContext): Handler<48> {
  return {
    apiKey: 48,
    minVersion: 0,
    maxVersion: 1,
    async handle(request: DescribeClientQuotasRequest): Promise<DescribeClientQuotasResponse> {
      const described = describeClientQuotas(broker.image().clientQuotas, request.components, request.strict);
      if (!described.ok) {
        return {
          throttleTimeMs: 0,
          errorCode: describeErrors[described.error],
          errorMessage: described.message ?? null,
          entries: null,
        };
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        entries: described.value.map((e) => ({
          entity: entityParts(e.entity),
          values: [...e.values].map(([key, value]) => ({ key, value })),
        })),
      };
    },
  };
}

export function alterClientQuotasHandler(broker: BrokerContext): Handler<49> {
  return {
    apiKey: 49,
    minVersion: 0,
    maxVersion: 1,
    async handle(request: AlterClientQuotasRequest): Promise<AlterClientQuotasResponse> {
      const entries = request.entries.map((e) => ({
        entity: e.entity,
        ops: e.ops.map((o) => ({ key: o.key, value: o.remove ? null : o.value })),
      }));
      const answer = (codeOf: (i: number) => [number, string | null]): AlterClientQuotasResponse => ({
        throttleTimeMs: 0,
        entries: request.entries.map((e, i) => {
          const [errorCode, errorMessage] = codeOf(i);
          return { errorCode, errorMessage, entity: e.entity };
        }),
      });
      try {
        const results = await broker.controller.call('alterClientQuotas', {
          entries,
          validateOnly: request.validateOnly,
        });
        return answer((i) => {
          const r = results[i];
          return r === undefined || r.ok ? [ErrorCode.NONE, null] : [ErrorCode.INVALID_REQUEST, r.message ?? null];
        });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        return answer(() => [ErrorCode.NOT_CONTROLLER, 'No active controller answered.']);
      }
    },
  };
}
