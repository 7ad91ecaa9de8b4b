/**
 * Response bodies as Confluent's registry shapes them: field order as it
 * prints them, no `schemaType` for AVRO, no empty `references`, and
 * `metadata` / `ruleSet` only when the schema has them.
 */
import type { IdEntry, VersionEntry } from '../state.ts';

export function versionBody(entry: VersionEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { subject: entry.subject, version: entry.version, id: entry.id };
  addSchemaFields(out, entry);
  return out;
}

export function idBody(entry: IdEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  addSchemaFields(out, entry);
  return out;
}

function addSchemaFields(out: Record<string, unknown>, entry: VersionEntry | IdEntry): void {
  if (entry.schemaType !== 'AVRO') out.schemaType = entry.schemaType;
  if (entry.references.length > 0) out.references = entry.references;
  if ('metadata' in entry && entry.metadata !== undefined) out.metadata = entry.metadata;
  if ('ruleSet' in entry && entry.ruleSet !== undefined) out.ruleSet = entry.ruleSet;
  out.schema = entry.schema;
}

/** A boolean query parameter as Confluent reads it: "true" (any case) is true, anything else false. */
export function flag(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}
