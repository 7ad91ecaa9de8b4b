/**
 * IncrementalAlterConfigs as a pure function of the image: each resource's
 * changes are applied to its current overrides (APPEND and SUBTRACT only on
 * LIST configs, starting from the default when nothing is set, as Kafka's
 * controller does), the result is validated as a whole, and config records are returned for what actually changed.
 * Topic resources must exist; broker resources ("" = cluster default, or a
 * broker id) accept the dynamic broker configs (read-only ones are refused
 * with the reason, cluster-only ones on a single broker too). Broker
 * records are what makes a dynamic broker config durable: brokers and the
 * controller replay them like any other metadata.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { MetadataImage, MetadataRecord } from '@runnel/metadata';
import {
  brokerConfigDefsByName,
  topicConfigDefsByName,
  validateDynamicBrokerConfigs,
  validateTopicConfigs,
} from '@runnel/metadata';

export interface ConfigChangeRequest {
  readonly name: string;
  readonly op: 'set' | 'delete' | 'append' | 'subtract';
  readonly value: string | null;
}

export interface AlterConfigsRequest {
  readonly resourceType: 'topic' | 'broker';
  readonly resourceName: string;
  readonly changes: readonly ConfigChangeRequest[];
}

export type AlterConfigsFailure = 'unknown_topic' | 'invalid_config' | 'invalid_request';

export function alterConfigs(
  image: MetadataImage,
  resources: readonly AlterConfigsRequest[],
): { records: MetadataRecord[]; results: Result<null, AlterConfigsFailure>[] } {
  const records: MetadataRecord[] = [];
  const results: Result<null, AlterConfigsFailure>[] = [];
  for (const res of resources) {
    const planned = plan(image, res);
    results.push(planned.ok ? ok(null) : planned);
    if (planned.ok) records.push(...planned.value);
  }
  return { records, results };
}

function plan(image: MetadataImage, res: AlterConfigsRequest): Result<MetadataRecord[], AlterConfigsFailure> {
  if (res.resourceType === 'topic' && image.topic(res.resourceName) === undefined) {
    return err('unknown_topic', `Topic '${res.resourceName}' does not exist.`);
  }
  if (res.resourceType === 'broker' && res.resourceName !== '' && !/^\d+$/.test(res.resourceName)) {
    return err('invalid_request', `Broker resource name must be a broker id or empty, not '${res.resourceName}'.`);
  }
  const current = image.configOverrides(res.resourceType, res.resourceName);
  const next = new Map(current);
  const names = new Set<string>();
  for (const change of res.changes) {
    if (names.has(change.name)) return err('invalid_request', `Config '${change.name}' is changed twice.`);
    names.add(change.name);
    if (change.op === 'set') {
      if (change.value === null) return err('invalid_request', `Config '${change.name}': set needs a value.`);
      next.set(change.name, change.value);
    } else if (change.op === 'delete') {
      next.delete(change.name);
    } else {
      // Kafka splits only LIST configs; the base is the override, else the config's own default (not the
      // broker-level synonym), so APPEND compact to an unset cleanup.policy gives "delete,compact".
      const d = (res.resourceType === 'topic' ? topicConfigDefsByName : brokerConfigDefsByName).get(change.name);
      if (d?.type !== 'list') {
        const op = change.op.toUpperCase();
        return err('invalid_config', `Can't ${op} to key ${change.name} because its type is not LIST.`);
      }
      const items = (next.get(change.name) ?? d.default ?? '').split(',').filter((s) => s.length > 0);
      const value = (change.value ?? '').split(',').filter((s) => s.length > 0);
      const updated =
        change.op === 'append'
          ? [...items, ...value.filter((v) => !items.includes(v))]
          : items.filter((i) => !value.includes(i));
      if (updated.length === 0) next.delete(change.name);
      else next.set(change.name, updated.join(','));
    }
  }
  const asRecord = Object.fromEntries(next);
  if (res.resourceType === 'topic') {
    const valid = validateTopicConfigs(asRecord);
    if (!valid.ok) return err('invalid_config', valid.message ?? 'Invalid config.');
  } else {
    const set = new Set(res.changes.filter((c) => c.op !== 'delete').map((c) => c.name));
    const valid = validateDynamicBrokerConfigs(asRecord, res.resourceName !== '', set);
    if (!valid.ok) return err(valid.error, valid.message ?? 'Invalid config.');
  }
  const records: MetadataRecord[] = [];
  for (const name of [...names].sort()) {
    const before = current.get(name) ?? null;
    const after = next.get(name) ?? null;
    if (before === after) continue;
    records.push({
      type: 'config',
      resourceType: res.resourceType,
      resourceName: res.resourceName,
      name,
      value: after,
    });
  }
  return ok(records);
}
