/**
 * Protobuf on a real `runnel dev` registry, driven with fetch as the
 * course lab does with curl: an invalid .proto is 42201; layout and
 * comments do not make another schema; answers carry `schemaType:
 * "PROTOBUF"` and, with `format=serialized`, a base64 FileDescriptorProto;
 * a compatible evolution is accepted and a wire-incompatible one refused
 * with 409, the verbose answer naming the proto path and change type.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const registryType = 'application/vnd.schemaregistry.v1+json';
const v1 = 'syntax = "proto3";\npackage lab;\n\nmessage Payment {\n  string id = 1;\n}\n';
const v1Messy =
  '// payments\nsyntax = "proto3"; package lab;\n/* the only message */ message Payment { string id = 1; }';
const v2 = 'syntax = "proto3"; package lab; message Payment { string id = 1; double amount = 2; }';
// Field 2 turns from a double (fixed 64-bit on the wire) into a string: neither side can read the other's data.
const v3 = 'syntax = "proto3"; package lab; message Payment { string id = 1; string amount = 2; }';

async function call(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': registryType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Protobuf schemas through runnel dev', () => {
  let dev: DevProcess;
  let base: string;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'registry ready' });
  });

  afterAll(async () => {
    await dev.kill('SIGKILL');
  });

  it('refuses a .proto that does not parse with 42201 and the parser’s reason', async () => {
    const refused = await call(base, 'POST', '/subjects/payments-value/versions', {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; message Payment { Missing id = 1; }',
    });
    expect(refused).toEqual({
      status: 422,
      body: { error_code: 42201, message: 'Invalid schema: type Missing of field Payment.id is not defined' },
    });
  });

  it('registers, answers with schemaType PROTOBUF, and takes the same schema in another layout as the same', async () => {
    expect(
      await call(base, 'POST', '/subjects/payments-value/versions', { schemaType: 'PROTOBUF', schema: v1 }),
    ).toEqual({
      status: 200,
      body: { id: 1 },
    });
    expect(
      await call(base, 'POST', '/subjects/payments-value/versions', { schemaType: 'PROTOBUF', schema: v1Messy }),
    ).toEqual({ status: 200, body: { id: 1 } });
    expect(await call(base, 'POST', '/subjects/payments-value', { schemaType: 'PROTOBUF', schema: v1Messy })).toEqual({
      status: 200,
      body: { subject: 'payments-value', version: 1, id: 1, schemaType: 'PROTOBUF', schema: v1 },
    });
    expect(await call(base, 'GET', '/schemas/ids/1')).toEqual({
      status: 200,
      body: { schemaType: 'PROTOBUF', schema: v1 },
    });
  });

  it('answers a base64 FileDescriptorProto with format=serialized, by id and by subject version', async () => {
    const byId = await call(base, 'GET', '/schemas/ids/1?format=serialized');
    const byVersion = await call(base, 'GET', '/subjects/payments-value/versions/1?format=serialized');
    expect(byVersion.body.schema).toBe(byId.body.schema);
    const file = fromBinary(FileDescriptorProtoSchema, Buffer.from(String(byId.body.schema), 'base64'));
    expect(file.package).toBe('lab');
    expect(file.syntax).toBe('proto3');
    expect(file.messageType.map((m) => [m.name, m.field.map((f) => [f.name, f.number])])).toEqual([
      ['Payment', [['id', 1]]],
    ]);
    // Posting the descriptor back is the same schema.
    expect(
      await call(base, 'POST', '/subjects/payments-value/versions', {
        schemaType: 'PROTOBUF',
        schema: byId.body.schema,
      }),
    ).toEqual({ status: 200, body: { id: 1 } });
  });

  it('accepts a compatible evolution and refuses a wire-incompatible one with 409 naming path and change type', async () => {
    expect(
      await call(base, 'POST', '/subjects/payments-value/versions', { schemaType: 'PROTOBUF', schema: v2 }),
    ).toEqual({
      status: 200,
      body: { id: 2 },
    });
    const refused = await call(base, 'POST', '/subjects/payments-value/versions', {
      schemaType: 'PROTOBUF',
      schema: v3,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error_code: 409,
      message: expect.stringContaining(
        `Schema being registered is incompatible with an earlier schema for subject "payments-value", details: [{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The scalar field at path '#/Payment/2' in the new schema`,
      ),
    });
    const verbose = await call(base, 'POST', '/compatibility/subjects/payments-value/versions/latest?verbose=true', {
      schemaType: 'PROTOBUF',
      schema: v3,
    });
    const stored2 = (await call(base, 'GET', '/subjects/payments-value/versions/2')).body.schema;
    expect(verbose).toEqual({
      status: 200,
      body: {
        is_compatible: false,
        messages: [
          `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The scalar field at path '#/Payment/2' in the new schema has a type that is not wire-compatible with its type in the old schema"}`,
          '{oldSchemaVersion: 2}',
          `{oldSchema: '${String(stored2)}'}`,
          "{validateFields: 'false', compatibility: 'BACKWARD'}",
        ],
      },
    });
    // With NONE the same schema is a new version.
    expect(await call(base, 'PUT', '/config/payments-value', { compatibility: 'NONE' })).toEqual({
      status: 200,
      body: { compatibility: 'NONE' },
    });
    expect(
      await call(base, 'POST', '/subjects/payments-value/versions', { schemaType: 'PROTOBUF', schema: v3 }),
    ).toEqual({
      status: 200,
      body: { id: 3 },
    });
  });
});
