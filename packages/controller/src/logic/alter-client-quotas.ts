/**
 * AlterClientQuotas as a pure function of the image, following Kafka's
 * controller: each entry (one entity and its ops) succeeds or fails on its
 * own; a failed entry writes nothing. Records are returned only for values
 * that change (setting the current value, or removing an absent key, writes
 * nothing), so a repeated alteration is a no-op in the log.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  AlterClientQuotasError,
  ClientQuotaAlteration,
  ClientQuotaEntity,
  ClientQuotaOp,
  MetadataImage,
  MetadataRecord,
} from '@runnel/metadata';
import { checkQuotaValue, describeEntity, entityFromParts, entityKey } from '@runnel/metadata';

export function alterClientQuotas(
  image: MetadataImage,
  alterations: readonly ClientQuotaAlteration[],
): { records: MetadataRecord[]; results: Result<null, AlterClientQuotasError>[] } {
  const records: MetadataRecord[] = [];
  const results: Result<null, AlterClientQuotasError>[] = [];
  const seen = new Set<string>();
  for (const alteration of alterations) {
    const entity = entityFromParts(alteration.entity);
    if (!entity.ok) {
      results.push(entity);
      continue;
    }
    const id = entityKey(entity.value);
    if (seen.has(id)) {
      results.push(err('invalid_request', `Ignoring duplicate entity ${describeEntity(entity.value)}`));
      continue;
    }
    seen.add(id);
    const planned = plan(image, entity.value, alteration.ops);
    results.push(planned.ok ? ok(null) : planned);
    if (planned.ok) records.push(...planned.value);
  }
  return { records, results };
}

function plan(
  image: MetadataImage,
  entity: ClientQuotaEntity,
  ops: readonly ClientQuotaOp[],
): Result<MetadataRecord[], AlterClientQuotasError> {
  const current = image.clientQuotas.get(entityKey(entity))?.values;
  const keys = new Set<string>();
  const records: MetadataRecord[] = [];
  for (const op of ops) {
    if (keys.has(op.key)) {
      return err('invalid_request', `Duplicate quota key ${op.key} not updating quota for ${describeEntity(entity)}`);
    }
    keys.add(op.key);
    if (op.value !== null) {
      const valid = checkQuotaValue(op.key, op.value);
      if (!valid.ok) return valid;
    }
    const before = current?.get(op.key) ?? null;
    if (before === op.value) continue;
    records.push({ type: 'client-quota', entity, key: op.key, value: op.value });
  }
  return ok(records);
}
