/**
 * Avro with avsc: the schemas a schema references are parsed first into one
 * name registry, so the names they define resolve in it (Confluent's
 * references). The JSON form is Avro's JSON encoding (unions as
 * `{"string": "x"}`, bytes as strings of code points 0-255), the one
 * Confluent's console producer and consumer read and print.
 */
import avro from 'avsc';
import type { ResolvedSchema, ValueCodec } from './schema.ts';
import { SerdeError } from './serde-error.ts';

export function avroCodec(resolved: ResolvedSchema): ValueCodec {
  const registry: Record<string, avro.Type> = {};
  for (const { name, schema } of resolved.referenced) parseInto(schema.schema, registry, `referenced schema ${name}`);
  const type = parseInto(resolved.schema.schema, registry, 'schema');
  return {
    encode(value) {
      const problems: string[] = [];
      type.isValid(value, {
        errorHook: (path, found) => problems.push(`${path.join('.') || 'the value'}: ${JSON.stringify(found)}`),
      });
      if (problems.length > 0) throw new SerdeError(`not valid for the Avro schema at ${problems.join('; ')}`);
      return type.toBuffer(value);
    },
    decode(payload) {
      return attempt('the Avro payload does not decode', () => type.fromBuffer(payload));
    },
    fromJson(text) {
      return attempt('not Avro JSON for the schema', () => type.fromString(text));
    },
    toJson(value) {
      return type.toString(value);
    },
  };
}

function parseInto(text: string, registry: Record<string, avro.Type>, what: string): avro.Type {
  return attempt(`the ${what} is not valid Avro`, () =>
    avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry }),
  );
}

function attempt<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new SerdeError(`${what}: ${(error as Error).message}`);
  }
}
