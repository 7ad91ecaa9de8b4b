import { describe, expect, it } from 'vitest';
import { parseProduceRecord, parseProduceRecordText } from '../src/rest/v3-records/produce-record.ts';

describe('one v3 produce record', () => {
  it('reads partition, headers, key, value and an ISO timestamp', () => {
    const parsed = parseProduceRecord({
      partition_id: 2,
      headers: [
        { name: 'trace', value: 'aGk=' },
        { name: 'empty', value: null },
      ],
      key: { type: 'string', data: 'k' },
      value: { type: 'JSON', data: { a: [1] } },
      timestamp: '2024-01-02T03:04:05.678Z',
    });
    expect(parsed).toEqual({
      ok: true,
      record: {
        partitionId: 2,
        headers: [
          { key: 'trace', value: Buffer.from('hi') },
          { key: 'empty', value: null },
        ],
        key: { type: 'STRING', data: 'k', schema: null },
        value: { type: 'JSON', data: { a: [1] }, schema: null },
        timestampMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      },
    });
  });

  it('takes a part without a type as BINARY, and a schema source without a type from the registry', () => {
    const parsed = parseProduceRecord({ key: { data: 'AAE=' }, value: { schema_id: 7, data: { f: 1 } } });
    expect(parsed.ok && parsed.record.key).toEqual({ type: 'BINARY', data: 'AAE=', schema: null });
    expect(parsed.ok && parsed.record.value).toEqual({
      type: null,
      data: { f: 1 },
      schema: { kind: 'id', schemaId: 7 },
    });
  });

  it('uses the latest version of the topic subject for a schema type given without a schema', () => {
    const parsed = parseProduceRecord({ value: { type: 'AVRO', data: 1 } });
    expect(parsed.ok && parsed.record.value?.schema).toEqual({ kind: 'version', subject: null, version: 'latest' });
  });

  it.each([
    [{ partition_id: -1 }, /partition_id/],
    [{ partition_id: 'one' }, /partition_id/],
    [{ headers: {} }, /headers must be an array/],
    [{ headers: [{ name: 'h', value: '***' }] }, /base64/],
    [{ value: { type: 'XML', data: '' } }, /value\.type must be one of/],
    [{ value: { type: 'BINARY', data: 'not base64!' } }, /base64/],
    [{ value: { type: 'STRING', data: 5 } }, /STRING data must be text/],
    [{ value: { type: 'JSON', data: 1, schema_id: 3 } }, /takes no schema/],
    [{ value: { schema: '"int"', data: 1 } }, /type is required/],
    [{ value: { type: 'AVRO', subject_name_strategy: 'RECORD_NAME', data: 1 } }, /TOPIC_NAME/],
    [{ key: { type: 'STRING', data: 'k', colour: 'red' } }, /unknown field colour/],
    [{ timestamp: 'yesterday' }, /timestamp/],
    [[1, 2], /JSON object/],
  ])('refuses %j with 422', (json, message) => {
    const parsed = parseProduceRecord(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.status).toBe(422);
      expect(parsed.message).toMatch(message);
    }
  });

  it('answers 400 for text that is not JSON', () => {
    const parsed = parseProduceRecordText('{"value": }');
    expect(parsed).toMatchObject({ ok: false, status: 400 });
  });
});
