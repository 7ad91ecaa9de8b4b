/**
 * Object and array rules of the JSON Schema checker (json-schema-compat.ts):
 * properties and tuple items under open, closed and partially open content
 * models, `required`, additional properties/items, and the count bounds.
 * `compare` is the checker's own recursion, so these rules stay pure.
 */
import { type Draft, isObject, type JsonValue } from '../formats/json-schema.ts';
import type { Incompatibility } from './compatibility-levels.ts';
import {
  arrayItems,
  BOUND_NAMES,
  coveringSchemas,
  extraProperties,
  hasDefault,
  isOpenObject,
  isUnconstrained,
  type JsonObject,
  num,
  patternProperties,
  patternsFor,
  propertiesOf,
  requiredOf,
  sameValue,
  segment,
  tightened,
} from './json-schema-keywords.ts';

/** Reasons a reader subschema cannot read a writer subschema (the checker's recursion). */
export type Compare = (writer: JsonValue, reader: JsonValue, path: string) => Incompatibility[];

export function problem(type: string, path: string, message: string, detail: string): Incompatibility {
  return { type, path, message, detail };
}

export function boundChanges(writer: JsonObject, reader: JsonObject, keywords: readonly string[], path: string) {
  const out: Incompatibility[] = [];
  for (const keyword of keywords) {
    const names = BOUND_NAMES[keyword];
    if (names === undefined) continue;
    const w = num(writer, keyword);
    const r = num(reader, keyword);
    const type = tightened(w, r, names.upper, names);
    if (type === undefined) continue;
    const message =
      w === undefined
        ? `the reader adds ${keyword} ${r} that the writer does not have`
        : `the reader's ${keyword} ${r} is ${names.upper ? 'below' : 'above'} the writer's ${w}`;
    out.push(problem(type, `${path}/${keyword}`, message, keyword));
  }
  return out;
}

export function objectChanges(compare: Compare, writer: JsonObject, reader: JsonObject, path: string) {
  const out: Incompatibility[] = [];
  const wProps = propertiesOf(writer);
  const rProps = propertiesOf(reader);
  const wRequired = requiredOf(writer);
  const rRequired = requiredOf(reader);
  const writerOpen = isOpenObject(writer);
  const readerOpen = isOpenObject(reader);

  for (const [name, wProp] of wProps) {
    const at = `${path}/properties/${segment(name)}`;
    const rProp = rProps.get(name);
    if (rProp !== undefined) {
      out.push(...compare(wProp, rProp, at));
      // A reader pattern matching the name applies to the named property as well, unless the writer had it too.
      for (const [pattern, rPattern] of patternsFor(reader, name)) {
        const wPattern = patternsFor(writer, name).find(([p]) => p === pattern)?.[1];
        if (wPattern === undefined || !sameValue(wPattern, rPattern)) out.push(...compare(wProp, rPattern, at));
      }
      continue;
    }
    // Removed from the reader: what the reader says of unnamed properties must read the writer's values.
    if (readerOpen) continue;
    const covering = coveringSchemas(reader, name);
    if (covering !== undefined) {
      if (covering.some((schema) => compare(wProp, schema, at).length > 0)) {
        out.push(
          problem(
            'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            at,
            `property '${name}' is gone from the reader and its partially open content model does not read the writer's values`,
            name,
          ),
        );
      }
    } else if (wProp !== false) {
      out.push(
        problem(
          'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          at,
          `property '${name}' is gone from the reader, whose closed content model refuses it`,
          name,
        ),
      );
    }
  }

  for (const [name, rProp] of rProps) {
    if (wProps.has(name)) continue;
    const at = `${path}/properties/${segment(name)}`;
    if (writerOpen) {
      // The writer may have written anything under this name.
      if (!isUnconstrained(rProp)) {
        out.push(
          problem(
            'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
            at,
            `the reader adds property '${name}', which the writer's open content model may have written with any value`,
            name,
          ),
        );
      }
      continue;
    }
    // The writer's values under this name met every covering schema; one that the reader's property reads is enough.
    const covering = coveringSchemas(writer, name);
    if (covering?.every((schema) => compare(schema, rProp, at).length > 0)) {
      out.push(
        problem(
          'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          at,
          `the reader adds property '${name}', which the writer's partially open content model may have written with values the reader refuses`,
          name,
        ),
      );
    }
    if (rRequired.has(name) && !hasDefault(rProp)) {
      out.push(
        problem(
          'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          `${path}/required/${segment(name)}`,
          `the reader requires new property '${name}' without a default; the writer never wrote it`,
          name,
        ),
      );
    }
  }

  for (const name of rRequired) {
    if (wRequired.has(name)) continue;
    // A property the reader adds is reported above (once), unless it is an unconstrained one added to an open model.
    const added = !wProps.has(name) && rProps.has(name);
    if (added && (!writerOpen || !isUnconstrained(rProps.get(name)))) continue;
    if (hasDefault(rProps.get(name))) continue;
    out.push(
      problem(
        'REQUIRED_ATTRIBUTE_ADDED',
        `${path}/required/${segment(name)}`,
        `the reader requires property '${name}', which the writer did not require`,
        name,
      ),
    );
  }

  out.push(...patternChanges(compare, writer, reader, path));
  out.push(...extraChanges(compare, writer, reader, path));
  out.push(...boundChanges(writer, reader, ['maxProperties', 'minProperties'], path));
  out.push(...dependencyChanges(compare, writer, reader, path));
  return out;
}

function patternChanges(compare: Compare, writer: JsonObject, reader: JsonObject, path: string) {
  const out: Incompatibility[] = [];
  const wPatterns = new Map(patternProperties(writer));
  const rPatterns = new Map(patternProperties(reader));
  const wExtra = extraProperties(writer).schema;
  const rExtra = extraProperties(reader);
  for (const [pattern, rSchema] of rPatterns) {
    const at = `${path}/patternProperties/${segment(pattern)}`;
    const wSchema = wPatterns.get(pattern);
    if (wSchema !== undefined) out.push(...compare(wSchema, rSchema, at));
    else if (isOpenObject(writer) && !isUnconstrained(rSchema)) {
      out.push(
        problem(
          'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
          at,
          `the reader constrains properties matching /${pattern}/, which the writer's open content model may have written with any value`,
          pattern,
        ),
      );
    } else if (wExtra !== undefined && wExtra !== false && compare(wExtra, rSchema, at).length > 0) {
      out.push(
        problem(
          'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          at,
          `the reader constrains properties matching /${pattern}/ beyond what the writer's ${rExtra.keyword} allowed`,
          pattern,
        ),
      );
    }
  }
  // Properties the writer allowed by a pattern the reader does not have fall to the reader's unnamed-property rule
  // (patterns are not compared for overlap: a reader pattern must be the same text to count).
  for (const [pattern, wSchema] of wPatterns) {
    if (rPatterns.has(pattern) || isUnconstrained(rExtra.schema) || wSchema === false) continue;
    const at = `${path}/patternProperties/${segment(pattern)}`;
    if (rExtra.schema === false) {
      out.push(
        problem(
          'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          at,
          `the writer allowed properties matching /${pattern}/, which the reader's closed content model refuses`,
          pattern,
        ),
      );
    } else if (compare(wSchema, rExtra.schema as JsonValue, at).length > 0) {
      out.push(
        problem(
          'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          at,
          `the writer allowed properties matching /${pattern}/ that the reader's ${rExtra.keyword} does not read`,
          pattern,
        ),
      );
    }
  }
  return out;
}

function extraChanges(compare: Compare, writer: JsonObject, reader: JsonObject, path: string) {
  const w = extraProperties(writer);
  const r = extraProperties(reader);
  const at = `${path}/${r.keyword}`;
  if (w.schema === false || isUnconstrained(r.schema)) return [];
  if (r.schema === false) {
    return [
      problem(
        'ADDITIONAL_PROPERTIES_REMOVED',
        at,
        'the reader refuses properties it does not name; the writer allowed them',
        r.keyword,
      ),
    ];
  }
  if (isUnconstrained(w.schema)) {
    return [
      problem(
        'ADDITIONAL_PROPERTIES_NARROWED',
        at,
        'the reader constrains properties it does not name; the writer allowed any value',
        r.keyword,
      ),
    ];
  }
  return compare(w.schema as JsonValue, r.schema as JsonValue, at);
}

function dependencyChanges(compare: Compare, writer: JsonObject, reader: JsonObject, path: string) {
  const out: Incompatibility[] = [];
  for (const keyword of ['dependencies', 'dependentRequired', 'dependentSchemas']) {
    const wDeps = isObject(writer[keyword]) ? writer[keyword] : {};
    const rDeps = reader[keyword];
    if (!isObject(rDeps)) continue;
    for (const [name, rDep] of Object.entries(rDeps)) {
      const at = `${path}/${keyword}/${segment(name)}`;
      const wDep = wDeps[name];
      if (Array.isArray(rDep)) {
        const known = new Set(Array.isArray(wDep) ? wDep : []);
        const extra = rDep.filter((d) => !known.has(d));
        if (wDep === undefined) {
          out.push(problem('DEPENDENCY_ARRAY_ADDED', at, `the reader adds a dependency of '${name}'`, name));
        } else if (extra.length > 0) {
          out.push(
            problem(
              'DEPENDENCY_ARRAY_EXTENDED',
              at,
              `the reader's dependency of '${name}' needs more properties`,
              name,
            ),
          );
        }
      } else if (wDep === undefined || Array.isArray(wDep)) {
        out.push(problem('DEPENDENCY_SCHEMA_ADDED', at, `the reader adds a dependent schema for '${name}'`, name));
      } else {
        out.push(...compare(wDep, rDep, at));
      }
    }
  }
  return out;
}

export function arrayChanges(compare: Compare, writer: JsonObject, reader: JsonObject, path: string, drafts: Draft[]) {
  const out: Incompatibility[] = [];
  const w = arrayItems(writer, drafts[0] as Draft);
  const r = arrayItems(reader, drafts[1] as Draft);
  const common = Math.min(w.tuple.length, r.tuple.length);
  for (let i = 0; i < common; i++) {
    out.push(...compare(w.tuple[i] as JsonValue, r.tuple[i] as JsonValue, `${path}/${r.tupleKeyword}/${i}`));
  }
  for (let i = common; i < w.tuple.length; i++) {
    // A position the reader no longer names: its rest-of-items schema must read it.
    const at = `${path}/${w.tupleKeyword}/${i}`;
    const wItem = w.tuple[i] as JsonValue;
    if (isUnconstrained(r.rest)) continue;
    if (r.rest === false) {
      if (wItem !== false) {
        out.push(
          problem(
            'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
            at,
            `tuple item ${i} is gone from the reader, whose closed content model refuses it`,
            String(i),
          ),
        );
      }
    } else if (compare(wItem, r.rest as JsonValue, at).length > 0) {
      out.push(
        problem(
          'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          at,
          `tuple item ${i} is gone from the reader and its ${r.restKeyword} schema does not read the writer's values`,
          String(i),
        ),
      );
    }
  }
  for (let i = common; i < r.tuple.length; i++) {
    const at = `${path}/${r.tupleKeyword}/${i}`;
    const rItem = r.tuple[i] as JsonValue;
    if (w.rest === false) continue; // the writer wrote no item there
    if (isUnconstrained(w.rest)) {
      if (!isUnconstrained(rItem)) {
        out.push(
          problem(
            'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
            at,
            `the reader adds tuple item ${i}, which the writer's open content model may have written with any value`,
            String(i),
          ),
        );
      }
    } else if (compare(w.rest as JsonValue, rItem, at).length > 0) {
      out.push(
        problem(
          'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          at,
          `the reader adds tuple item ${i}, which the writer's ${w.restKeyword} schema may have written with values the reader refuses`,
          String(i),
        ),
      );
    }
  }
  out.push(...restChanges(compare, w, r, path));
  out.push(...boundChanges(writer, reader, ['maxItems', 'minItems'], path));
  if (reader.uniqueItems === true && writer.uniqueItems !== true) {
    out.push(problem('UNIQUE_ITEMS_ADDED', `${path}/uniqueItems`, 'the reader requires unique items', 'uniqueItems'));
  }
  return out;
}

function restChanges(
  compare: Compare,
  w: ReturnType<typeof arrayItems>,
  r: ReturnType<typeof arrayItems>,
  path: string,
): Incompatibility[] {
  const at = `${path}/${r.restKeyword}`;
  if (w.rest === false || isUnconstrained(r.rest)) return [];
  const tuple = w.tuple.length > 0 || r.tuple.length > 0;
  if (tuple && r.rest === false) {
    return [problem('ADDITIONAL_ITEMS_REMOVED', at, 'the reader refuses items past its tuple', r.restKeyword)];
  }
  if (tuple && isUnconstrained(w.rest)) {
    return [problem('ADDITIONAL_ITEMS_NARROWED', at, 'the reader constrains items past its tuple', r.restKeyword)];
  }
  return compare(w.rest ?? true, r.rest as JsonValue, at);
}
