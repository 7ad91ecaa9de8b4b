/**
 * AlterClientQuotas between the metadata types (ClientQuotaAlteration, the
 * AlterClientQuotasError union) and the proto shapes of
 * proto/controller.proto. A <default> entity name and a removed key are
 * absent optional fields; an error name outside the union is a malformed
 * response.
 */
import type { Result } from '@runnel/common';
import { ok } from '@runnel/common';
import type { AlterClientQuotasError, ClientQuotaAlteration } from '@runnel/metadata';
import type { ControllerAnswer } from './controller-answer.ts';
import {
  type AnswerFrame,
  errorFromProto,
  errorToProto,
  listAnswerFromProto,
  listAnswerToProto,
  type ResponseDecodeError,
} from './controller-response-codec.ts';
import type { AlterClientQuotasRequestProto, ClientQuotaResultProto } from './generated/controller-proto.ts';

export interface AlterClientQuotasCall {
  readonly entries: readonly ClientQuotaAlteration[];
  readonly validateOnly: boolean;
}

const quotaErrors: ReadonlySet<string> = new Set<AlterClientQuotasError>(['invalid_request']);

export function alterClientQuotasRequestToProto(call: AlterClientQuotasCall): AlterClientQuotasRequestProto {
  return {
    entries: call.entries.map((e) => ({
      entity: e.entity.map((p) => ({
        entityType: p.entityType,
        ...(p.entityName === null ? {} : { entityName: p.entityName }),
      })),
      ops: e.ops.map((o) => ({ key: o.key, ...(o.value === null ? {} : { value: o.value }) })),
    })),
    validateOnly: call.validateOnly,
  };
}

export function alterClientQuotasRequestFromProto(
  p: AlterClientQuotasRequestProto,
): Result<AlterClientQuotasCall, 'malformed_request'> {
  return ok({
    entries: p.entries.map((e) => ({
      entity: e.entity.map((part) => ({ entityType: part.entityType, entityName: part.entityName ?? null })),
      ops: e.ops.map((o) => ({ key: o.key, value: o.value ?? null })),
    })),
    validateOnly: p.validateOnly,
  });
}

export function alterClientQuotasResponseToProto(
  answer: ControllerAnswer<readonly Result<null, AlterClientQuotasError>[]>,
): AnswerFrame<ClientQuotaResultProto> {
  return listAnswerToProto(answer, (result) => (result.ok ? { altered: {} } : { error: errorToProto(result) }));
}

export function alterClientQuotasResponseFromProto(
  p: AnswerFrame<ClientQuotaResultProto>,
): Result<ControllerAnswer<Result<null, AlterClientQuotasError>[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): Result<null, AlterClientQuotasError> | null => {
    if (r.outcome === 'altered') return ok(null);
    return r.outcome === 'error' && r.error !== undefined
      ? errorFromProto<AlterClientQuotasError>(r.error, quotaErrors)
      : null;
  });
}
