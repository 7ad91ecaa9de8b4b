/**
 * Finalized features (KIP-584) as pure functions over the image: what a
 * new cluster finalizes, and UpdateFeatures' rules. An update is all or
 * nothing: the first refusal refuses the request, and nothing is written.
 *
 * The rules, Kafka's: a feature Runnel does not know, or a level outside
 * the range every broker supports (feature-levels.ts: one build, one
 * range), is INVALID_UPDATE_VERSION; so is a lower level asked as an
 * upgrade, and any downgrade of metadata.version (Kafka refuses those
 * unless they are provably safe; here no other level is supported). Other
 * features go down with safe_downgrade or unsafe_downgrade; level 0 removes
 * the feature. A request naming a feature twice is INVALID_REQUEST.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { FeatureUpdate, MetadataImage, MetadataRecord, UpdateFeaturesError } from '@runnel/metadata';
import { defaultFinalizedFeatures, metadataVersionFeature, supportedFeatures } from '@runnel/metadata';

/** The default feature levels for a cluster that has none finalized yet (new, or from before features). */
export function ensureFeatures(image: MetadataImage): MetadataRecord[] {
  if (image.finalizedFeatures.size > 0) return [];
  return [...defaultFinalizedFeatures].map(([name, level]) => ({ type: 'feature-level', name, level }));
}

export function updateFeatures(
  image: MetadataImage,
  updates: readonly FeatureUpdate[],
): Result<MetadataRecord[], UpdateFeaturesError> {
  const names = new Set(updates.map((u) => u.feature));
  if (names.size !== updates.length) return err('invalid_request', 'The request names a feature more than once.');
  const records: MetadataRecord[] = [];
  for (const update of updates) {
    const refused = refusal(image, update);
    if (refused !== null) return err('invalid_update_version', refused);
    if ((image.finalizedFeatures.get(update.feature) ?? 0) !== update.maxVersionLevel) {
      records.push({ type: 'feature-level', name: update.feature, level: update.maxVersionLevel });
    }
  }
  return ok(records);
}

/** Why `update` may not be applied to `image`, or null. */
function refusal(image: MetadataImage, update: FeatureUpdate): string | null {
  const { feature, maxVersionLevel: level, upgradeType } = update;
  const range = supportedFeatures.get(feature);
  if (range === undefined) return `Runnel does not support the feature ${feature}.`;
  const current = image.finalizedFeatures.get(feature) ?? 0;
  const removing = level === 0 && feature !== metadataVersionFeature;
  if (!removing && (level < range.minVersion || level > range.maxVersion)) {
    return `Every broker supports ${feature} from ${range.minVersion} to ${range.maxVersion}, not ${level}.`;
  }
  if (level >= current) return null;
  if (upgradeType === 'upgrade') {
    return `Cannot lower ${feature} from ${current} to ${level} without a safe or unsafe downgrade.`;
  }
  if (feature === metadataVersionFeature) return `${feature} cannot be downgraded.`;
  return null;
}
