/**
 * JSON Schema values: the payload is the value's JSON text (UTF-8), as
 * Confluent's JSON Schema serializer writes it. Values are not validated
 * against the schema here; the registry already checked the schema itself.
 */
import type { ValueCodec } from './schema.ts';
import { SerdeError } from './serde-error.ts';

export function jsonCodec(): ValueCodec {
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new SerdeError(`${what}: ${(error as Error).message}`);
    }
  };
  return {
    encode(value) {
      const text = JSON.stringify(value);
      if (text === undefined) throw new SerdeError('the value has no JSON form');
      return Buffer.from(text);
    },
    decode(payload) {
      return parse(payload.toString('utf8'), 'the payload is not JSON');
    },
    fromJson(text) {
      return parse(text, 'not JSON');
    },
    toJson(value) {
      return JSON.stringify(value);
    },
  };
}
