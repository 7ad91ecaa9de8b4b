/**
 * IncrementalAlterConfigs' APPEND and SUBTRACT in the controller's pure
 * logic: they work on LIST configs only, and an unset config starts from
 * its default, so clients that append to a never-set cleanup.policy (as
 * librdkafka's admin tests do) keep the default's items.
 */

import { alterConfigs } from '@runnel/controller';
import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import type { AlterConfigsRequest } from '../src/logic/alter-configs.ts';

const topicId = '00000000-0000-4000-8000-0000000000a1';
const withTopic = replayBatch(MetadataImage.empty, [{ type: 'topic', name: 't', topicId }], 0n);

function alterOne(image: MetadataImage, request: AlterConfigsRequest) {
  const { records, results } = alterConfigs(image, [request]);
  const apply = (records: readonly MetadataRecord[]) =>
    replayBatch(image, records, image.lastOffset + BigInt(records.length));
  return { records, result: results[0], image: apply(records) };
}

describe('alterConfigs APPEND and SUBTRACT', () => {
  it('APPEND to an unset topic cleanup.policy keeps the default item: "delete,compact"', () => {
    const appended = alterOne(withTopic, {
      resourceType: 'topic',
      resourceName: 't',
      changes: [{ name: 'cleanup.policy', op: 'append', value: 'compact' }],
    });
    expect(appended.result?.ok).toBe(true);
    expect(appended.image.configOverrides('topic', 't').get('cleanup.policy')).toBe('delete,compact');
    const subtracted = alterOne(appended.image, {
      resourceType: 'topic',
      resourceName: 't',
      changes: [{ name: 'cleanup.policy', op: 'subtract', value: 'compact' }],
    });
    expect(subtracted.image.configOverrides('topic', 't').get('cleanup.policy')).toBe('delete');
  });

  it('APPEND to an unset broker log.cleanup.policy starts from its default too', () => {
    const appended = alterOne(MetadataImage.empty, {
      resourceType: 'broker',
      resourceName: '1',
      changes: [{ name: 'log.cleanup.policy', op: 'append', value: 'compact' }],
    });
    expect(appended.records).toEqual([
      {
        type: 'config',
        resourceType: 'broker',
        resourceName: '1',
        name: 'log.cleanup.policy',
        value: 'delete,compact',
      },
    ]);
  });

  it.each([
    ['topic', 't', 'compression.type', 'append', 'APPEND'],
    ['topic', 't', 'retention.ms', 'subtract', 'SUBTRACT'],
    ['broker', '1', 'no.such.config', 'append', 'APPEND'],
  ] as const)(
    '%s %s: %s with %s is INVALID_CONFIG (not a LIST config), writing nothing',
    (type, name, config, op, opName) => {
      const refused = alterOne(withTopic, {
        resourceType: type,
        resourceName: name,
        changes: [{ name: config, op, value: 'gzip' }],
      });
      expect(refused.records).toEqual([]);
      expect(refused.result).toMatchObject({ ok: false, error: 'invalid_config' });
      expect(refused.result?.ok === false && refused.result.message).toBe(
        `Can't ${opName} to key ${config} because its type is not LIST.`,
      );
    },
  );
});
