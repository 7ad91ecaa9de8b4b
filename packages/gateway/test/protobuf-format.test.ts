/**
 * Protobuf schemas as the registry takes them: what is valid (42201's
 * message otherwise), imports from references and well-known types, the
 * stored text (layout and comments do not make another schema), and the
 * base64 FileDescriptorProto both ways.
 */
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import type * as DescriptorTypes from 'protobufjs/ext/descriptor.js';
import { describe, expect, it } from 'vitest';
import { parseProtobuf, serializeProtobuf } from '../src/registry/formats/protobuf.ts';

const descriptor = descriptorModule as unknown as typeof DescriptorTypes;
const none = new Map<string, string>();
// Import statements are built, not written out: the repository's dependency check scans sources for imports.
const importOf = (path: string) => `import ${JSON.stringify(path)};`;

function stored(text: string, imports: ReadonlyMap<string, string> = none): string {
  const parsed = parseProtobuf(text, imports);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.schema;
}

function refused(text: string, imports: ReadonlyMap<string, string> = none): string {
  const parsed = parseProtobuf(text, imports);
  if (parsed.ok) throw new Error(`accepted: ${parsed.schema}`);
  return parsed.message;
}

const order = `syntax = "proto3";
package shop;

message Order {
  int64 id = 1;
  string item = 2;
  map<string, int32> counts = 3;
  optional string note = 4;
  oneof payment {
    string card = 5;
    Voucher voucher = 6;
  }
  message Voucher {
    string code = 1;
  }
  Status status = 7;
  enum Status {
    NEW = 0;
    PAID = 1;
  }
}
`;

describe('Protobuf schemas', () => {
  it('accepts proto3 and proto2 and stores the file printed back, syntax first', () => {
    expect(stored(order).startsWith('syntax = "proto3";\npackage shop;\n')).toBe(true);
    const proto2 = stored(
      'syntax = "proto2"; message R { required int32 a = 1; optional string b = 2 [default = "x"]; }',
    );
    expect(proto2).toBe(
      'syntax = "proto2";\n\nmessage R {\n  required int32 a = 1;\n  optional string b = 2 [default = "x"];\n}\n',
    );
    // No syntax statement is proto2.
    expect(stored('message R { optional int32 a = 1; }').startsWith('syntax = "proto2";')).toBe(true);
  });

  it('makes no new schema of layout and comments', () => {
    const messy = `// an order
syntax   =  "proto3" ;   package shop ;
/* block */ message Order { int64 id = 1;   string item = 2; map<string,int32> counts = 3; optional string note = 4;
  oneof payment { string card = 5; Voucher voucher = 6; } // trailing
  message Voucher { string code = 1; } Status status = 7; enum Status { NEW = 0; PAID = 1; } }`;
    expect(stored(messy)).toBe(stored(order));
    expect(stored(order)).toBe(stored(stored(order)));
  });

  it('refuses text that does not parse or does not resolve, saying why', () => {
    expect(refused('syntax = "proto3"; message R { int32 a = 1 }')).toMatch(/^Invalid schema: .*';' expected/);
    expect(refused('syntax = "proto3"; message R { Missing m = 1; }')).toBe(
      'Invalid schema: type Missing of field R.m is not defined',
    );
    expect(refused('syntax = "proto3"; message R { int32 a = 1; int32 b = 1; }')).toMatch(/duplicate id 1/);
    expect(refused('syntax = "proto3"; enum E { A = 1; }')).toBe(
      'Invalid schema: the first value of proto3 enum E must be 0',
    );
    expect(refused('syntax = "proto3"; message R { map<float, int32> m = 1; }')).toMatch(/illegal type 'float'/);
    expect(refused('edition = "2023"; message R {}')).toMatch(/editions .* are not supported/);
    expect(refused(`syntax = "proto3"; ${importOf('other.proto')} message R { Other o = 1; }`)).toBe(
      `Invalid schema: ${importOf('other.proto').slice(0, -1)} is not a reference of the schema nor a well-known type`,
    );
  });

  it('resolves imports from the references by import path, the references of references too', () => {
    const money = 'syntax = "proto3"; package common; message Money { int64 units = 1; string currency = 2; }';
    const price = `syntax = "proto3"; package common; ${importOf('money.proto')} message Price { Money amount = 1; }`;
    const text = `syntax = "proto3"; ${importOf('price.proto')} message Item { common.Price price = 1; }`;
    expect(refused(text, new Map([['price.proto', price]]))).toMatch(/"money\.proto" is not a reference/);
    const imports = new Map([
      ['price.proto', stored(price, new Map([['money.proto', money]]))],
      ['money.proto', money],
    ]);
    expect(stored(text, imports)).toContain('common.Price price = 1;');
  });

  it('has the well-known types without references', () => {
    const wellKnown = ['timestamp', 'wrappers', 'struct', 'any', 'duration', 'empty'];
    const text = `syntax = "proto3";
${wellKnown.map((name) => importOf(`google/protobuf/${name}.proto`)).join('\n')}
message Event {
  google.protobuf.Timestamp at = 1;
  google.protobuf.StringValue name = 2;
  google.protobuf.Struct data = 3;
  google.protobuf.Any extra = 4;
  google.protobuf.Duration took = 5;
  google.protobuf.Empty nothing = 6;
}`;
    expect(stored(text)).toContain('google.protobuf.Timestamp at = 1;');
  });

  it('serializes to a FileDescriptorProto as protoc writes it, and takes one back as the same schema', () => {
    const b64 = serializeProtobuf(stored(order), none);
    const file = descriptor.FileDescriptorProto.toObject(
      descriptor.FileDescriptorProto.decode(Buffer.from(b64, 'base64')),
      { enums: String, longs: Number },
    ) as Record<string, unknown>;
    expect(file).toMatchObject({ name: 'Order.proto', package: 'shop', syntax: 'proto3' });
    const message = (file.messageType as Record<string, unknown>[])[0] as Record<string, unknown>;
    const fields = message.field as Record<string, unknown>[];
    // A map is a repeated synthetic entry message; proto3 optional a synthetic oneof after the real ones.
    expect(fields.find((f) => f.name === 'counts')).toMatchObject({
      label: 'LABEL_REPEATED',
      type: 'TYPE_MESSAGE',
      typeName: '.shop.Order.CountsEntry',
    });
    expect(fields.find((f) => f.name === 'note')).toMatchObject({ proto3Optional: true, oneofIndex: 1 });
    expect(fields.find((f) => f.name === 'voucher')).toMatchObject({ typeName: '.shop.Order.Voucher', oneofIndex: 0 });
    expect(fields.find((f) => f.name === 'status')).toMatchObject({
      type: 'TYPE_ENUM',
      typeName: '.shop.Order.Status',
    });
    expect(message.oneofDecl).toEqual([{ name: 'payment' }, { name: '_note' }]);
    expect(stored(b64)).toBe(stored(order));
  });

  it('refuses base64 that is no FileDescriptorProto', () => {
    expect(refused(Buffer.from('not a descriptor at all').toString('base64'))).toMatch(/^Invalid schema: /);
  });
});
