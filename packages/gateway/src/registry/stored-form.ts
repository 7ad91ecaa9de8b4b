/**
 * A submitted schema's stored form: the text the registry keeps, compares
 * and answers. Parsed first (42201 when invalid); Avro in Java's canonical
 * form or Confluent's normalized one, the others as their format prints
 * them, normalized when asked.
 */
import { avroCanonicalForm, avroNormalizedForm, avscOrderSpelling } from './avro-canonical.ts';
import { registryErrors } from './registry-error.ts';
import type { SchemaRequest } from './registry-requests.ts';
import { normalizedSchema, parseSchema } from './schema-formats.ts';
import type { ReferencedSchema } from './store-records.ts';

/** JSON Schema and Protobuf: parsed (42201 when invalid), then as stored, normalized when asked. */
export function storedForm(
  request: SchemaRequest,
  referenced: readonly ReferencedSchema[],
  imports: ReadonlyMap<string, string>,
  normalize: boolean,
): string {
  const parsed = parseSchema(request.schemaType, request.schema, referenced, imports);
  if (!parsed.ok) throw registryErrors.invalidSchema(parsed.message);
  return normalize ? normalizedSchema(request.schemaType, parsed.schema, request.schema, imports) : parsed.schema;
}

/**
 * Avro: the stored text (Java's canonical form, or Confluent's normalized
 * one), validated with avsc in that form, which is the form the
 * compatibility check parses too (one parse, cached, serves both). A text
 * the printer cannot read is validated as submitted, so the 42201 carries
 * avsc's message.
 */
export function avroStoredForm(text: string, referenced: readonly ReferencedSchema[], normalize: boolean): string {
  const texts = referenced.map((r) => r.schema);
  let stored: string;
  try {
    stored = normalize ? avroNormalizedForm(text, texts) : avroCanonicalForm(text, texts);
  } catch (error) {
    const parsed = parseSchema('AVRO', text, referenced);
    if (!parsed.ok) throw registryErrors.invalidSchema(parsed.message);
    // avsc accepted it, so this is a shape the printer does not know: refuse it rather than store a guess.
    throw registryErrors.invalidSchema(`Invalid schema: ${(error as Error).message}`);
  }
  const parsed = parseSchema(
    'AVRO',
    avscOrderSpelling(stored),
    referenced.map((r) => ({ ...r, schema: avscOrderSpelling(r.schema) })),
  );
  if (!parsed.ok) throw registryErrors.invalidSchema(parsed.message);
  return stored;
}
