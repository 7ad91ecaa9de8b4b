/**
 * UpdateFeatures (key 57), v0-2: finalizes feature levels through the
 * active controller (logic/features.ts there has the rules; updates are all
 * or nothing, validateOnly writes nothing). v0's allowDowngrade reads as a
 * safe downgrade; v1+ names the upgrade type (1 upgrade, 2 safe, 3 unsafe
 * downgrade; anything else is INVALID_REQUEST). Refusals are
 * INVALID_UPDATE_VERSION; v0-1 also list every requested feature with the
 * request's outcome, as Kafka's do.
 */
import type { FeatureUpdate, FeatureUpgradeType, UpdateFeaturesError } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import { ErrorCode, errorDescription, type UpdateFeaturesRequest, type UpdateFeaturesResponse } from '@runnel/protocol';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';

const upgradeTypes: Record<number, FeatureUpgradeType> = { 1: 'upgrade', 2: 'safe_downgrade', 3: 'unsafe_downgrade' };

const errorCodes: Record<UpdateFeaturesError, number> = {
  invalid_update_version: ErrorCode.INVALID_UPDATE_VERSION,
  invalid_request: ErrorCode.INVALID_REQUEST,
};

/** The request's updates in the controller's terms, or null when an upgrade type is unknown. Pure. */
export function featureUpdatesOf(request: UpdateFeaturesRequest, version: number): FeatureUpdate[] | null {
  const updates: FeatureUpdate[] = [];
  for (const u of request.featureUpdates) {
    const upgradeType =
      version === 0 ? (u.allowDowngrade === true ? 'safe_downgrade' : 'upgrade') : upgradeTypes[u.upgradeType ?? 1];
    if (upgradeType === undefined) return null;
    updates.push({ feature: u.feature, maxVersionLevel: u.maxVersionLevel, upgradeType });
  }
  return updates;
}

export function updateFeaturesHandler(broker: BrokerContext): Handler<57> {
  return {
    apiKey: 57,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: UpdateFeaturesRequest, context: RequestContext): Promise<UpdateFeaturesResponse> {
      const answer = (errorCode: number, errorMessage: string | null): UpdateFeaturesResponse => ({
        throttleTimeMs: 0,
        errorCode,
        errorMessage,
        results: request.featureUpdates.map((u) => ({ feature: u.feature, errorCode, errorMessage })),
      });
      const updates = featureUpdatesOf(request, context.header.apiVersion);
      if (updates === null) return answer(ErrorCode.INVALID_REQUEST, 'Unknown upgrade type.');
      try {
        const result = await broker.controller.call('updateFeatures', {
          updates,
          validateOnly: request.validateOnly ?? false,
        });
        if (result.ok) return answer(ErrorCode.NONE, null);
        const code = errorCodes[result.error];
        return answer(code, result.message ?? errorDescription(code));
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        return answer(ErrorCode.NOT_CONTROLLER, 'No active controller answered.');
      }
    },
  };
}
