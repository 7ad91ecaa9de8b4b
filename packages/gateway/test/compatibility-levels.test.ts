/**
 * The seven levels over a subject's history: which earlier versions each
 * level checks, in which direction, and the verbose messages' shape.
 */
import { describe, expect, it } from 'vitest';
import { checkAvroCompatibility } from '../src/registry/compat/avro-compat.ts';
import {
  COMPATIBILITY_LEVELS,
  checkCompatibility,
  type PreviousVersion,
} from '../src/registry/compat/compatibility-levels.ts';

const schema = (fields: unknown[]) => ({ type: 'record', name: 'R', fields });
const v = (version: number, s: unknown): PreviousVersion<unknown> => ({ version, schema: s, text: JSON.stringify(s) });

// v1 has only `a`; v2 adds `b` with a default; the candidate drops the default of `b` and adds nothing.
const v1 = schema([{ name: 'a', type: 'int' }]);
const v2 = schema([
  { name: 'a', type: 'int' },
  { name: 'b', type: 'string', default: '' },
]);
const history = [v(1, v1), v(2, v2)];

function verdicts(candidate: unknown) {
  return Object.fromEntries(
    COMPATIBILITY_LEVELS.map((level) => [
      level,
      checkCompatibility(level, candidate, history, checkAvroCompatibility).is_compatible,
    ]),
  );
}

describe('compatibility levels', () => {
  it('a required field the first version lacks: only the transitive backward levels refuse it', () => {
    const candidate = schema([
      { name: 'a', type: 'int' },
      { name: 'b', type: 'string' },
    ]);
    expect(verdicts(candidate)).toEqual({
      BACKWARD: true, // reads v2, which writes `b`
      BACKWARD_TRANSITIVE: false, // cannot read v1, which lacks `b`
      FORWARD: true,
      FORWARD_TRANSITIVE: true,
      FULL: true,
      FULL_TRANSITIVE: false,
      NONE: true,
    });
  });

  it('a dropped field without default in the latest: the forward levels refuse it', () => {
    const candidate = schema([{ name: 'b', type: 'string', default: '' }]);
    // v2 cannot read the candidate (no `a`, which v2 needs); neither can v1.
    expect(verdicts(candidate)).toEqual({
      BACKWARD: true,
      BACKWARD_TRANSITIVE: true,
      FORWARD: false,
      FORWARD_TRANSITIVE: false,
      FULL: false,
      FULL_TRANSITIVE: false,
      NONE: true,
    });
  });

  it('a change of type only against the first version: the transitive forward levels see it', () => {
    const history3 = [v(1, schema([{ name: 'a', type: 'int' }])), v(2, schema([{ name: 'a', type: 'long' }]))];
    const candidate = schema([{ name: 'a', type: 'long' }]);
    const at = (level: (typeof COMPATIBILITY_LEVELS)[number]) =>
      checkCompatibility(level, candidate, history3, checkAvroCompatibility).is_compatible;
    expect([at('FORWARD'), at('FORWARD_TRANSITIVE'), at('BACKWARD_TRANSITIVE')]).toEqual([true, false, true]);
  });

  it('writes verbose messages in the registry shape, one group per failing version', () => {
    const candidate = schema([
      { name: 'a', type: 'int' },
      { name: 'c', type: 'int' },
    ]);
    const result = checkCompatibility('BACKWARD_TRANSITIVE', candidate, history, checkAvroCompatibility);
    expect(result.is_compatible).toBe(false);
    expect(result.messages).toEqual([
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'At path '/fields/1': reader field 'c' has no default value and is missing from the writer', additionalInfo:'c'}",
      '{oldSchemaVersion: 2}',
      `{oldSchema: '${JSON.stringify(v2)}'}`,
      "{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}",
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'At path '/fields/1': reader field 'c' has no default value and is missing from the writer', additionalInfo:'c'}",
      '{oldSchemaVersion: 1}',
      `{oldSchema: '${JSON.stringify(v1)}'}`,
      "{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}",
    ]);
  });

  it('anything goes with NONE or with no earlier version', () => {
    expect(checkCompatibility('NONE', 'string', history, checkAvroCompatibility)).toEqual({
      is_compatible: true,
      messages: [],
    });
    expect(checkCompatibility('FULL_TRANSITIVE', 'string', [], checkAvroCompatibility)).toEqual({
      is_compatible: true,
      messages: [],
    });
  });
});
