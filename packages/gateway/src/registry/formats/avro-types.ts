/**
 * Avro schema texts to avsc Types, cached: the referenced schemas first,
 * into one name registry, so the named types the schema uses resolve.
 * Throws avsc's (or JSON's) error for a schema it cannot read.
 */
import avro from 'avsc';
import { BoundedCache } from '../bounded-cache.ts';

const types = new BoundedCache<string, avro.Type>(1024);

export function avroTypeOf(schema: string, referenced: readonly string[]): avro.Type {
  return types.getOrCreate(JSON.stringify([schema, ...referenced]), () => {
    const registry: Record<string, avro.Type> = {};
    for (const text of referenced) avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry });
    return avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { registry });
  });
}
