/**
 * The seven levels for JSON Schema, through the registry's dispatch
 * (stored schema texts in, verdict and verbose messages out): which
 * earlier versions each level checks, in which direction, and the
 * messages naming path and change type.
 */
import { describe, expect, it } from 'vitest';
import { COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../src/registry/compat/compatibility-levels.ts';
import { type EarlierVersion, subjectCompatibility } from '../src/registry/compat/subject-compatibility.ts';

const closed = (properties: Record<string, unknown>) =>
  JSON.stringify({ type: 'object', properties, additionalProperties: false });
const open = (properties: Record<string, unknown>) => JSON.stringify({ type: 'object', properties });
const earlier = (...texts: string[]): EarlierVersion[] =>
  texts.map((schema, i) => ({ version: i + 1, schemaType: 'JSON', schema, referenced: [] }));
const candidate = (schema: string) => ({ schemaType: 'JSON', schema, referenced: [] });

const problem = (type: string, path: string, message: string, info: string) =>
  `{errorType:'${type}', description:'At path '${path}': ${message}', additionalInfo:'${info}'}`;

describe('JSON Schema compatibility levels', () => {
  it('closing an open model: only the transitive backward levels see the open first version', () => {
    // v1 is open, v2 closed it (accepted under FORWARD); the candidate keeps it closed.
    const history = earlier(open({ a: { type: 'string' } }), closed({ a: { type: 'string' } }));
    const next = candidate(closed({ a: { type: 'string' } }));
    const verdicts = Object.fromEntries(
      COMPATIBILITY_LEVELS.map((level) => [level, subjectCompatibility(level, next, history).is_compatible]),
    );
    expect(verdicts).toEqual({
      BACKWARD: true,
      BACKWARD_TRANSITIVE: false, // the candidate cannot read v1's data, which may carry any extra property
      FORWARD: true,
      FORWARD_TRANSITIVE: true,
      FULL: true,
      FULL_TRANSITIVE: false,
      NONE: true,
    });
  });

  it('every level, with the verbose messages it answers', () => {
    const v1 = closed({ a: { type: 'string' }, b: { type: 'integer' } });
    const v2 = closed({ a: { type: 'string' }, b: { type: 'number' } });
    // Adds optional `c` to the closed model: new readers read old data; old readers refuse `c`, and v1 also
    // takes only integers for `b`.
    const next = candidate(closed({ a: { type: 'string' }, b: { type: 'number' }, c: { type: 'boolean' } }));
    const history = earlier(v1, v2);
    const texts: Record<number, string> = { 1: v1, 2: v2 };
    const group = (version: number, level: CompatibilityLevel, ...problems: string[]) => [
      ...problems,
      `{oldSchemaVersion: ${version}}`,
      `{oldSchema: '${texts[version]}'}`,
      `{validateFields: 'false', compatibility: '${level}'}`,
    ];
    const cRemoved = problem(
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      '#/properties/c',
      "property 'c' is gone from the reader, whose closed content model refuses it",
      'c',
    );
    const bNarrowed = problem(
      'TYPE_NARROWED',
      '#/properties/b',
      'the reader takes integers where the writer wrote numbers',
      'writer: [number], reader: [integer]',
    );
    const expected: Record<CompatibilityLevel, string[]> = {
      BACKWARD: [],
      BACKWARD_TRANSITIVE: [],
      FORWARD: group(2, 'FORWARD', cRemoved),
      FORWARD_TRANSITIVE: [
        ...group(2, 'FORWARD_TRANSITIVE', cRemoved),
        ...group(1, 'FORWARD_TRANSITIVE', bNarrowed, cRemoved),
      ],
      FULL: group(2, 'FULL', cRemoved),
      FULL_TRANSITIVE: [...group(2, 'FULL_TRANSITIVE', cRemoved), ...group(1, 'FULL_TRANSITIVE', bNarrowed, cRemoved)],
      NONE: [],
    };
    for (const level of COMPATIBILITY_LEVELS) {
      const result = subjectCompatibility(level, next, history);
      expect(result, level).toEqual({ is_compatible: expected[level].length === 0, messages: expected[level] });
    }
  });

  it('compares only earlier JSON Schema versions, and follows references of each version', () => {
    const customer = (props: Record<string, unknown>) => [{ name: 'customer.json', schema: closed(props) }];
    const order = closed({ customer: { $ref: 'customer.json' } });
    const history: EarlierVersion[] = [
      { version: 1, schemaType: 'AVRO', schema: '"string"', referenced: [] },
      { version: 2, schemaType: 'JSON', schema: order, referenced: customer({ id: { type: 'string' } }) },
    ];
    const next = { schemaType: 'JSON', schema: order, referenced: customer({ id: { type: 'integer' } }) };
    expect(subjectCompatibility('BACKWARD_TRANSITIVE', next, history).messages[0]).toBe(
      problem(
        'TYPE_CHANGED',
        '#/properties/customer/properties/id',
        'the reader does not take the type the writer wrote',
        'writer: [string], reader: [integer]',
      ),
    );
  });
});
