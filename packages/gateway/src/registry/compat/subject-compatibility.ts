/**
 * Compatibility of a submitted schema with a subject's earlier versions,
 * as the registry asks it on register and on the compatibility resource:
 * schema texts (with their references' texts) in, the level's verdict and
 * verbose messages out. Avro is checked by its resolution rules, JSON
 * Schema by Confluent's content-model rules, Protobuf by Confluent's
 * wire-compatibility diff (protobuf-compat.ts). Only earlier versions of
 * the candidate's own format are compared.
 */
import type avro from 'avsc';
import { avroTypeOf } from '../formats/avro-types.ts';
import { resolveJsonSchema } from '../formats/json-schema.ts';
import type { ReferencedSchema } from '../store-records.ts';
import { checkAvroCompatibility } from './avro-compat.ts';
import { type CompatibilityLevel, type CompatibilityResult, checkCompatibility } from './compatibility-levels.ts';
import { checkJsonSchemaCompatibility } from './json-schema-compat.ts';
import { protobufSubjectCompatibility } from './protobuf-compat.ts';

/** A schema as stored: its type, text, and the schemas its references reach, each before its users. */
export interface StoredSchema {
  readonly schemaType: string;
  readonly schema: string;
  readonly referenced: readonly ReferencedSchema[];
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
  if (candidate.schemaType === 'JSON') {
    const json = (s: StoredSchema) => resolveJsonSchema(s.schema, s.referenced);
    const previous = earlier
      .filter((v) => v.schemaType === 'JSON')
      .map((v) => ({ ...v, schema: json(v), text: v.schema }));
    return checkCompatibility(level, json(candidate), previous, checkJsonSchemaCompatibility);
  }
  if (candidate.schemaType !== 'AVRO') return { is_compatible: true, messages: [] };
  const previous = earlier
    .filter((v) => v.schemaType === 'AVRO')
    .map((v) => ({ version: v.version, schema: avroType(v), text: v.schema }));
  return checkCompatibility(level, avroType(candidate), previous, checkAvroCompatibility);
}

function avroType(stored: StoredSchema): avro.Type {
  return avroTypeOf(
    stored.schema,
    stored.referenced.map((r) => r.schema),
  );
}
