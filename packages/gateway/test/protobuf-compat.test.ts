/**
 * Protobuf compatibility rule by rule: each case names the change, and
 * the expected change types and proto paths are what the registry's
 * verbose answer shows (`diffProtobuf` lists compatible changes too).
 * Then the seven levels over a Protobuf history, with verbose messages.
 */
import { describe, expect, it } from 'vitest';
import { COMPATIBILITY_LEVELS, checkCompatibility } from '../src/registry/compat/compatibility-levels.ts';
import { checkProtobufCompatibility, diffProtobuf } from '../src/registry/compat/protobuf-compat.ts';
import { type LoadedProto, loadProtobuf } from '../src/registry/formats/protobuf.ts';

const load = (text: string, imports: ReadonlyMap<string, string> = new Map()): LoadedProto =>
  loadProtobuf(text, imports);
const p3 = (body: string, pkg = 'shop') => `syntax = "proto3"; package ${pkg}; ${body}`;

/** Every difference old → new, as "TYPE path". */
const diff = (old: string, updated: string) => diffProtobuf(load(old), load(updated)).map((d) => `${d.type} ${d.path}`);
/** What BACKWARD refuses: the new schema reading the old one's data. */
const refused = (old: string, updated: string) =>
  checkProtobufCompatibility(load(updated), load(old)).map((d) => `${d.type} ${d.path}`);

describe('Protobuf compatibility rules', () => {
  it('adding and removing optional fields and messages is compatible', () => {
    const old = p3('message A { int32 a = 1; string b = 2; } message Gone {}');
    const updated = p3('message A { int32 a = 1; int64 c = 3; } message New {}');
    expect(diff(old, updated)).toEqual([
      'FIELD_REMOVED #/A/2',
      'FIELD_ADDED #/A/3',
      'MESSAGE_REMOVED #/Gone',
      'MESSAGE_ADDED #/New',
    ]);
    expect(refused(old, updated)).toEqual(['MESSAGE_REMOVED #/Gone']);
  });

  it('matches fields by number: a rename is compatible, a renumbering is a removal and an addition', () => {
    expect(diff(p3('message A { int32 a = 1; }'), p3('message A { int32 renamed = 1; }'))).toEqual([
      'FIELD_NAME_CHANGED #/A/1',
    ]);
    expect(diff(p3('message A { int32 a = 1; }'), p3('message A { int32 a = 2; }'))).toEqual([
      'FIELD_REMOVED #/A/1',
      'FIELD_ADDED #/A/2',
    ]);
  });

  it('allows scalar changes within a wire-compatible group and refuses the others', () => {
    const groups = [
      ['int32', 'uint32', 'int64', 'uint64', 'bool'],
      ['sint32', 'sint64'],
      ['fixed32', 'sfixed32'],
      ['fixed64', 'sfixed64'],
      ['string', 'bytes'],
      ['float'],
      ['double'],
    ];
    const field = (type: string) => p3(`message A { ${type} f = 1; }`);
    for (const group of groups) {
      for (const from of group) {
        for (const to of groups.flat()) {
          const expected = group.includes(to) ? [] : ['FIELD_SCALAR_KIND_CHANGED #/A/1'];
          expect(refused(field(from), field(to)), `${from} → ${to}`).toEqual(expected);
        }
      }
    }
    // An enum encodes as a varint: int32 and an enum are one group.
    const withEnum = p3('message A { E f = 1; } enum E { Z = 0; }');
    expect(refused(field('int32'), withEnum)).toEqual([]);
    expect(refused(field('string'), withEnum)).toEqual(['FIELD_SCALAR_KIND_CHANGED #/A/1']);
  });

  it('refuses a change of kind: scalar, message, map', () => {
    const msg = p3('message A { B f = 1; } message B {}');
    const scalar = p3('message A { int32 f = 1; } message B {}');
    const map = p3('message A { map<string, int32> f = 1; } message B {}');
    expect(refused(scalar, msg)).toEqual(['FIELD_KIND_CHANGED #/A/1']);
    expect(refused(msg, map)).toEqual(['FIELD_KIND_CHANGED #/A/1']);
    // Map keys and values are compared like fields.
    expect(refused(map, p3('message A { map<string, string> f = 1; } message B {}'))).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/A/1',
    ]);
  });

  it('refuses a message field that changes its type, and compares a kept type’s definition', () => {
    const old = p3('message A { B f = 1; } message B { int32 x = 1; } message C { int32 x = 1; }');
    expect(refused(old, p3('message A { C f = 1; } message B { int32 x = 1; } message C { int32 x = 1; }'))).toEqual([
      'FIELD_NAMED_TYPE_CHANGED #/A/1',
    ]);
    // B itself changed incompatibly: reported at B's own path, then at the field that uses it.
    const changed = p3('message A { B f = 1; } message B { string x = 1; } message C { int32 x = 1; }');
    expect(refused(old, changed)).toEqual(['FIELD_SCALAR_KIND_CHANGED #/B/1', 'FIELD_NAMED_TYPE_CHANGED #/A/1']);
  });

  it('follows a referenced type into its own file, and allows moving it to another package', () => {
    const v1 = 'syntax = "proto3"; package common; message Money { int64 units = 1; }';
    const v2 = 'syntax = "proto3"; package common; message Money { string units = 1; }';
    const moved = 'syntax = "proto3"; package money; message Money { int64 units = 1; }';
    // The import statement is built: the repository's dependency check scans sources for imports.
    const user = (pkg: string) =>
      `syntax = "proto3"; import ${JSON.stringify('money.proto')}; message Item { ${pkg}.Money price = 1; }`;
    const item = (dep: string, pkg: string) => loadProtobuf(user(pkg), new Map([['money.proto', dep]]));
    const found = (reader: LoadedProto, writer: LoadedProto) =>
      checkProtobufCompatibility(reader, writer).map((d) => `${d.type} ${d.path}`);
    expect(found(item(v2, 'common'), item(v1, 'common'))).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/Money/1',
      'FIELD_NAMED_TYPE_CHANGED #/Item/1',
    ]);
    expect(found(item(moved, 'money'), item(v1, 'common'))).toEqual([]);
  });

  it('refuses adding or removing a required field (proto2)', () => {
    const old = 'syntax = "proto2"; message A { required int32 a = 1; }';
    const updated = 'syntax = "proto2"; message A { optional int32 b = 2; }';
    expect(refused(old, updated)).toEqual(['REQUIRED_FIELD_REMOVED #/A/1']);
    expect(refused(updated, old)).toEqual(['REQUIRED_FIELD_ADDED #/A/1']);
  });

  it('oneofs: adding fields is compatible; removing a member, or moving several fields into one, is not', () => {
    const old = p3('message A { int32 a = 1; int32 b = 2; oneof o { int32 c = 3; } }');
    expect(diff(old, p3('message A { int32 a = 1; int32 b = 2; oneof o { int32 c = 3; int32 d = 4; } }'))).toEqual([
      'ONEOF_FIELD_ADDED #/A/o/4',
    ]);
    expect(refused(old, p3('message A { int32 a = 1; int32 b = 2; oneof o { int32 d = 4; } }'))).toEqual([
      'ONEOF_FIELD_REMOVED #/A/o/3',
    ]);
    // One field moved into a new oneof is compatible; two are not (data with both set would lose one).
    expect(refused(old, p3('message A { oneof n { int32 a = 1; } int32 b = 2; oneof o { int32 c = 3; } }'))).toEqual(
      [],
    );
    expect(refused(old, p3('message A { oneof n { int32 a = 1; int32 b = 2; } oneof o { int32 c = 3; } }'))).toEqual([
      'MULTIPLE_FIELDS_MOVED_TO_ONEOF #/A/n',
    ]);
    // A field moved into a oneof that already had members.
    expect(refused(old, p3('message A { int32 b = 2; oneof o { int32 a = 1; int32 c = 3; } }'))).toEqual([
      'FIELD_MOVED_TO_EXISTING_ONEOF #/A/o',
    ]);
    // Moving a field out of a oneof keeps its data; its type is still compared by number.
    expect(refused(old, p3('message A { int32 a = 1; int32 b = 2; string c = 3; }'))).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/A/3',
    ]);
  });

  it('refuses a change of package', () => {
    expect(refused(p3('message A {}', 'shop'), p3('message A {}', 'store'))).toEqual(['PACKAGE_CHANGED #/']);
  });

  it('enum changes and moved messages are compatible, and nested messages are compared by path', () => {
    const old = p3('message A { message N { int32 x = 1; } } message B {} enum E { Z = 0; ONE = 1; }');
    const updated = p3('message B {} message A { message N { bytes x = 1; } } enum E { Z = 0; UNO = 1; TWO = 2; }');
    expect(diff(old, updated)).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/A/N/1',
      'MESSAGE_MOVED #/A',
      'MESSAGE_MOVED #/B',
      'ENUM_CONST_CHANGED #/E/1',
      'ENUM_CONST_ADDED #/E/2',
    ]);
    expect(refused(old, updated)).toEqual(['FIELD_SCALAR_KIND_CHANGED #/A/N/1']);
    expect(refused(p3('enum E { Z = 0; } message A {}'), p3('message A {}'))).toEqual([]);
  });

  it('a syntax change alone is not a change type (Confluent compares neither)', () => {
    expect(
      diff('syntax = "proto2"; message A { optional int32 a = 1; }', 'syntax = "proto3"; message A { int32 a = 1; }'),
    ).toEqual([]);
  });

  it('terminates on recursive messages', () => {
    const old = p3('message Node { Node next = 1; int32 v = 2; }');
    expect(refused(old, p3('message Node { Node next = 1; string v = 2; }'))).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/Node/2',
    ]);
  });
});

describe('compatibility levels over a Protobuf history', () => {
  // v1: id; v2: id and name. The candidate turns `id` into a string (refused both ways).
  const v1 = load(p3('message Order { int64 id = 1; }'));
  const v2 = load(p3('message Order { int64 id = 1; string name = 2; }'));
  const text1 = p3('message Order { int64 id = 1; }');
  const text2 = p3('message Order { int64 id = 1; string name = 2; }');
  const history = [
    { version: 1, schema: v1, text: text1 },
    { version: 2, schema: v2, text: text2 },
  ];
  const verdicts = (candidate: LoadedProto, versions = history) =>
    Object.fromEntries(
      COMPATIBILITY_LEVELS.map((level) => [
        level,
        checkCompatibility(level, candidate, versions, checkProtobufCompatibility).is_compatible,
      ]),
    );

  it('an incompatible change against every version: every level but NONE refuses it', () => {
    const candidate = load(p3('message Order { string id = 1; string name = 2; }'));
    expect(verdicts(candidate)).toEqual({
      BACKWARD: false,
      BACKWARD_TRANSITIVE: false,
      FORWARD: false,
      FORWARD_TRANSITIVE: false,
      FULL: false,
      FULL_TRANSITIVE: false,
      NONE: true,
    });
  });

  it('a change only against the first version: only the transitive levels see it', () => {
    // v1 had `id` as int64; v2 (no `id`) and the candidate reuse number 1 as a string.
    const versions = [
      { version: 1, schema: v1, text: text1 },
      { version: 2, schema: load(p3('message Order { string name = 2; }')), text: '' },
    ];
    const candidate = load(p3('message Order { string code = 1; string name = 2; }'));
    expect(verdicts(candidate, versions)).toEqual({
      BACKWARD: true,
      BACKWARD_TRANSITIVE: false,
      FORWARD: true,
      FORWARD_TRANSITIVE: false,
      FULL: true,
      FULL_TRANSITIVE: false,
      NONE: true,
    });
  });

  it('directional changes: a new message fails the forward levels, a removed one the backward levels', () => {
    // Confluent's note: adding message types is not forward compatible (the old schema lacks them).
    const base = load(p3('message Order { int64 id = 1; }'));
    const more = load(p3('message Order { int64 id = 1; } message Refund { int64 order = 1; }'));
    expect(verdicts(more, [{ version: 1, schema: base, text: '' }])).toMatchObject({
      BACKWARD: true,
      FORWARD: false,
      FULL: false,
    });
    expect(verdicts(base, [{ version: 1, schema: more, text: '' }])).toMatchObject({
      BACKWARD: false,
      FORWARD: true,
      FULL: false,
    });
  });

  it('a required field (proto2) added or removed fails both directions', () => {
    const base = load('syntax = "proto2"; message Order { optional int64 id = 1; }');
    const withRequired = load('syntax = "proto2"; message Order { optional int64 id = 1; required string name = 2; }');
    for (const [candidate, old] of [
      [withRequired, base],
      [base, withRequired],
    ] as const) {
      expect(verdicts(candidate, [{ version: 1, schema: old, text: '' }])).toMatchObject({
        BACKWARD: false,
        FORWARD: false,
        FULL: false,
        NONE: true,
      });
    }
  });

  it('writes verbose messages in the registry shape, new and old in the right places', () => {
    const candidate = load(p3('message Order { string id = 1; string name = 2; }'));
    const backward = checkCompatibility('BACKWARD', candidate, history, checkProtobufCompatibility);
    expect(backward.messages).toEqual([
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The scalar field at path '#/Order/1' in the new schema has a type that is not wire-compatible with its type in the old schema"}`,
      '{oldSchemaVersion: 2}',
      `{oldSchema: '${text2}'}`,
      "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]);
    const forward = checkCompatibility('FORWARD_TRANSITIVE', candidate, history, checkProtobufCompatibility);
    expect(forward.messages.filter((m) => m.startsWith('{errorType'))).toEqual([
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The scalar field at path '#/Order/1' in the old schema has a type that is not wire-compatible with its type in the new schema"}`,
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The scalar field at path '#/Order/1' in the old schema has a type that is not wire-compatible with its type in the new schema"}`,
    ]);
    expect(forward.messages.filter((m) => m.startsWith('{oldSchemaVersion'))).toEqual([
      '{oldSchemaVersion: 2}',
      '{oldSchemaVersion: 1}',
    ]);
  });
});
