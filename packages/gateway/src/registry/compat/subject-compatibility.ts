/**
 * Compatibility of a submitted schema with a subject's earlier versions,
 * as the registry asks it on register and on the compatibility resource:
 * schema texts (with their references' texts) in, the level's verdict and
 * verbose messages out. Avro is checked by its resolution rules, Protobuf
 * by Confluent's wire-compatibility diff (protobuf-compat.ts); JSON
 * Schema's checker is a later step of issue 13, so until then a JSON
 * Schema candidate passes. Only earlier versions of the candidate's own
 * format are compared.
 */
import avro from 'avsc';
import { checkAvroCompatibility } from './avro-compat.ts';
import { type CompatibilityLevel, type CompatibilityResult, checkCompatibility } from './compatibility-levels.ts';
import { protobufSubjectCompatibility } from './protobuf-compat.ts';

/** A schema as stored: its type, text, and the texts of the schemas it references, in order. */
export interface StoredSchema {
  readonly schemaType: string;
  readonly schema: string;
  readonly referenced: readonly string[];
  /** Import path (reference name) → stored text, the references' own references included (Protobuf). */
  readonly imports?: ReadonlyMap<string, string>;
}

export interface EarlierVersion extends StoredSchema {
  readonly version: number;
}

/** The candidate against `earlier` (oldest first) under `level`. */
export function subjectCompatibility(
  level: CompatibilityLevel,
  candidate: StoredSchema,
  earlier: readonly EarlierVersion[],
): CompatibilityResult {
  if (candidate.schemaType === 'PROTOBUF') return protobufSubjectCompatibility(level, candidate, earlier);
  if (candidate.schemaType !== 'AVRO') return { is_compatible: true, messages: [] };
  const previous = earlier
    .filter((v) => v.schemaType === 'AVRO')
    .map((v) => ({ version: v.version, schema: avroType(v), text: v.schema }));
  return checkCompatibility(level, avroType(candidate), previous, checkAvroCompatibility);
}

function avroType(stored: StoredSchema): avro.Type {
  // Referenced schemas first, into one registry, so named types the schema uses resolve.
  const registry: Record<string, avro.Type> = {};
  for (const text of stored.referenced) avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry });
  return avro.Type.forSchema(JSON.parse(stored.schema) as avro.Schema, { registry });
}
