/**
 * UpdateFeatures between the metadata types (FeatureUpdate, the
 * UpdateFeaturesError union) and the proto shapes of proto/controller.proto.
 * An upgrade type outside the union is a malformed request; an error name
 * outside it a malformed response.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { FeatureUpdate, FeatureUpgradeType, UpdateFeaturesError } from '@runnel/metadata';
import type { ControllerAnswer } from './controller-answer.ts';
import {
  errorFromProto,
  errorToProto,
  notControllerFromProto,
  notControllerToProto,
  type ResponseDecodeError,
} from './controller-response-codec.ts';
import type { UpdateFeaturesRequestProto, UpdateFeaturesResponseProto } from './generated/controller-proto.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

export interface UpdateFeaturesCall {
  readonly updates: readonly FeatureUpdate[];
  readonly validateOnly: boolean;
}

const upgradeTypes: ReadonlySet<string> = new Set<FeatureUpgradeType>([
  'upgrade',
  'safe_downgrade',
  'unsafe_downgrade',
]);
const updateErrors: ReadonlySet<string> = new Set<UpdateFeaturesError>(['invalid_update_version', 'invalid_request']);

export function updateFeaturesRequestToProto(call: UpdateFeaturesCall): UpdateFeaturesRequestProto {
  return {
    updates: call.updates.map((u) => ({
      feature: u.feature,
      maxVersionLevel: u.maxVersionLevel,
      upgradeType: u.upgradeType,
    })),
    validateOnly: call.validateOnly,
  };
}

export function updateFeaturesRequestFromProto(
  p: UpdateFeaturesRequestProto,
): Result<UpdateFeaturesCall, 'malformed_request'> {
  const updates: FeatureUpdate[] = [];
  for (const u of p.updates) {
    if (!upgradeTypes.has(u.upgradeType)) return err('malformed_request', `unknown upgrade type ${u.upgradeType}`);
    updates.push({
      feature: u.feature,
      maxVersionLevel: u.maxVersionLevel,
      upgradeType: u.upgradeType as FeatureUpgradeType,
    });
  }
  return ok({ updates, validateOnly: p.validateOnly });
}

export function updateFeaturesResponseToProto(
  answer: ControllerAnswer<Result<null, UpdateFeaturesError>>,
): UpdateFeaturesResponseProto {
  if (answer.status === 'not_controller') {
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  }
  const committedOffset = int64ToWire(answer.committedOffset);
  return answer.value.ok ? { accepted: {}, committedOffset } : { error: errorToProto(answer.value), committedOffset };
}

export function updateFeaturesResponseFromProto(
  p: UpdateFeaturesResponseProto,
): Result<ControllerAnswer<Result<null, UpdateFeaturesError>>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  const committedOffset = int64FromWire(p.committedOffset);
  if (p.outcome === 'accepted') return ok({ status: 'ok', value: ok(null), committedOffset });
  const failed =
    p.outcome === 'error' && p.error !== undefined ? errorFromProto<UpdateFeaturesError>(p.error, updateErrors) : null;
  return failed === null
    ? err('malformed_response', 'bad UpdateFeatures outcome')
    : ok({ status: 'ok', value: failed, committedOffset });
}
