/**
 * Response bodies as Confluent's registry shapes them: field order as it
 * prints them, no `schemaType` for AVRO, no empty `references`, and
 * `metadata` / `ruleSet` only when the schema has them.
 */
import type { IdEntry, VersionEntry } from '../state.ts';

/** `schema`: the schema text in the format asked for (the stored text by default). */
export function versionBody(entry: VersionEntry, schema = entry.schema): Record<string, unknown> {
  const out: Record<string, unknown> = { subject: entry.subject, version: entry.version, id: entry.id };
  addSchemaFields(out, entry, schema);
  return out;
}

export function idBody(entry: IdEntry, schema = entry.schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  addSchemaFields(out, entry, schema);
  return out;
}

function addSchemaFields(out: Record<string, unknown>, entry: VersionEntry | IdEntry, schema: string): void {
  if (entry.schemaType !== 'AVRO') out.schemaType = entry.schemaType;
  if (entry.references.length > 0) out.references = entry.references;
  if ('metadata' in entry && entry.metadata !== undefined) out.metadata = entry.metadata;
  if ('ruleSet' in entry && entry.ruleSet !== undefined) out.ruleSet = entry.ruleSet;
  out.schema = schema;
}

/** A boolean query parameter as Confluent reads it: "true" (any case) is true, anything else false. */
export function flag(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}
