import { describe, expect, it } from 'vitest';
import { RestError } from '../src/rest/rest-error.ts';
import { type ProduceBody, produceFormatOf, schemaSourcesOf } from '../src/rest/v2/produce-request.ts';

function codeOf(action: () => unknown): number | null {
  try {
    action();
    return null;
  } catch (error) {
    if (error instanceof RestError) return error.errorCode;
    throw error;
  }
}

describe('produceFormatOf', () => {
  it('reads the embedded format from a v2 content type, parameters and case aside', () => {
    expect(produceFormatOf('application/vnd.kafka.avro.v2+json')).toBe('avro');
    expect(produceFormatOf('application/vnd.kafka.jsonschema.v2+json; charset=utf-8')).toBe('jsonschema');
    expect(produceFormatOf('Application/Vnd.Kafka.Protobuf.V2+Json')).toBe('protobuf');
  });

  it('takes binary when the type names no format, as Confluent’s REST Proxy does', () => {
    expect(produceFormatOf('application/vnd.kafka.v2+json')).toBe('binary');
    expect(produceFormatOf('application/json')).toBe('binary');
  });

  it('answers 415 for a type produce does not take', () => {
    expect(codeOf(() => produceFormatOf('text/plain'))).toBe(415);
    expect(codeOf(() => produceFormatOf('application/vnd.kafka.xml.v2+json'))).toBe(415);
    expect(codeOf(() => produceFormatOf('application/vnd.kafka.binary.v3+json'))).toBe(415);
    expect(codeOf(() => produceFormatOf(undefined))).toBe(415);
  });
});

describe('schemaSourcesOf', () => {
  const body = (extra: Partial<ProduceBody>, records: ProduceBody['records'] = [{ value: 1 }]): ProduceBody => ({
    records,
    ...extra,
  });

  it('takes an inline schema or an id for each part', () => {
    expect(schemaSourcesOf('avro', body({ key_schema: '"string"', value_schema_id: 7 }))).toEqual({
      key: { schema: '"string"' },
      value: { schemaId: 7 },
    });
  });

  it('needs a key schema only when some record has a key (42201), a value schema when some has a value (42202)', () => {
    expect(codeOf(() => schemaSourcesOf('avro', body({ value_schema_id: 1 }, [{ key: 'k', value: 1 }])))).toBe(42201);
    expect(codeOf(() => schemaSourcesOf('protobuf', body({}, [{ value: { a: 1 } }])))).toBe(42202);
    expect(schemaSourcesOf('jsonschema', body({}, [{ key: null, value: null }]))).toEqual({ key: null, value: null });
  });

  it('refuses a part given both a schema and an id (422)', () => {
    expect(codeOf(() => schemaSourcesOf('avro', body({ value_schema: '"int"', value_schema_id: 1 })))).toBe(422);
  });

  it('ignores schemas for binary and json, which take none', () => {
    expect(schemaSourcesOf('json', body({ value_schema_id: 3 }, [{ key: 'k', value: 1 }]))).toEqual({
      key: null,
      value: null,
    });
  });
});
