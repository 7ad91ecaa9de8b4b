/**
 * What a schema's references reach in the state: the referenced schemas'
 * texts (transitively, each before the schemas that use it) for parsing
 * and checking, and the same by reference name for Protobuf imports.
 */
import { registryErrors } from './registry-error.ts';
import type { RegistryState } from './state.ts';
import type { ReferencedSchema, SchemaReference } from './store-records.ts';

/** Reference name → stored text for the references and, transitively, theirs (the imports of a Protobuf schema). */
export function importsOf(
  state: RegistryState,
  references: readonly SchemaReference[],
  into = new Map<string, string>(),
): Map<string, string> {
  for (const ref of references) {
    if (into.has(ref.name)) continue;
    const entry = state.subjects.get(ref.subject)?.get(ref.version);
    if (entry === undefined) continue; // referencedOf reports a missing reference
    into.set(ref.name, entry.schema);
    importsOf(state, entry.references, into);
  }
  return into;
}

/**
 * The schemas the references reach, transitively (a referenced schema's own references too, as Confluent
 * resolves them), each before the schemas that use it; 42201 when one is missing.
 */
export function referencedOf(state: RegistryState, references: readonly SchemaReference[]): ReferencedSchema[] {
  const out: ReferencedSchema[] = [];
  const visited = new Set<string>();
  const visit = (refs: readonly SchemaReference[]): void => {
    for (const ref of refs) {
      const key = `${ref.name}\u0000${ref.subject}\u0000${ref.version}`;
      if (visited.has(key)) continue; // a shared or cyclic reference is resolved once
      visited.add(key);
      const entry = state.subjects.get(ref.subject)?.get(ref.version);
      if (entry === undefined) {
        throw registryErrors.invalidSchema(
          `Invalid schema: reference ${ref.name} (${ref.subject} version ${ref.version}) not found`,
        );
      }
      visit(entry.references);
      out.push({ name: ref.name, schema: entry.schema });
    }
  };
  visit(references);
  return out;
}
