/**
 * Avro schema texts to avsc Types, cached: the referenced schemas first,
 * into one name registry, so the named types the schema uses resolve.
 * Throws avsc's (or JSON's) error for a schema it cannot read.
 */
import avro from 'avsc';
import { BoundedCache } from '../bounded-cache.ts';

const types = new BoundedCache<string, avro.Type>(1024);

/**
 * avsc builds each type with generated functions (new Function), primitives
 * included, and looks a name up in the registry before it builds one: a
 * registry that already holds the primitives makes every "string" or
 * "long" in a schema the same (immutable) type instead of a new one.
 */
const primitiveNames = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
const primitives: Readonly<Record<string, avro.Type>> = Object.fromEntries(
  primitiveNames.map((name) => [name, avro.Type.forSchema(name)]),
);

export function avroTypeOf(schema: string, referenced: readonly string[]): avro.Type {
  return types.getOrCreate(JSON.stringify([schema, ...referenced]), () => {
    const registry: Record<string, avro.Type> = { ...primitives };
    for (const text of referenced) avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry });
    return avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { registry });
  });
}
