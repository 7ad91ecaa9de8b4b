/**
 * `runnel produce` / `runnel consume` with registry formats, as a user runs
 * them (child processes) against a real `runnel dev` with its gateway:
 * records written in the registry's wire format under the TopicNameStrategy
 * subjects and printed back as JSON, and the failures a user meets.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;
let registryUrl: string;
/** The flags that point a client command at this test's cluster and registry. */
let at: string[];

beforeAll(async () => {
  dev = await DevProcess.start();
  registryUrl = `http://127.0.0.1:${dev.registryPort}`;
  at = ['--bootstrap-server', dev.bootstrap, '--registry-url', registryUrl];
  await waitFor(async () => (await fetch(`${registryUrl}/readyz`)).status === 200, { what: 'registry ready' });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

async function getJson(path: string): Promise<unknown> {
  return (await fetch(`${registryUrl}${path}`)).json();
}

const order = {
  type: 'record',
  name: 'Order',
  namespace: 'cli',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

describe('runnel produce/consume with registry formats', () => {
  it('Avro keys and values: a schema file and an inline schema registered under <topic>-key/-value, printed back as Avro JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runnel-cli-avro-'));
    const schemaFile = join(dir, 'order.avsc');
    await writeFile(schemaFile, JSON.stringify(order));
    const produced = await runnel(
      [
        'produce',
        'cli-orders',
        ...['--key-separator', '|', '--key-format', 'avro', '--key-schema', '"string"'],
        ...['--value-format', 'avro', '--value-schema', schemaFile],
        ...at,
      ],
      '"o-1"|{"id": 1, "note": null}\n"o-2"|{"id": 2, "note": {"string": "gift"}}\n',
    );
    expect(produced).toMatchObject({
      code: 0,
      stderr: 'Produced 2 records in 1 batches to cli-orders[0], offsets 0..1\n',
    });
    expect(await getJson('/subjects')).toEqual(expect.arrayContaining(['cli-orders-key', 'cli-orders-value']));

    const consumed = await runnel([
      'consume',
      'cli-orders',
      ...['--key-format', 'avro', '--value-format', 'avro', '--print-key', '--from-beginning', '--exit-at-end'],
      ...at,
    ]);
    expect(consumed).toMatchObject({
      code: 0,
      stdout: '"o-1"\t{"id":1,"note":null}\n"o-2"\t{"id":2,"note":{"string":"gift"}}\n',
    });
    // Without a format the bytes print as they are: the frame's magic byte 0 comes first.
    const raw = await runnel(['consume', 'cli-orders', '--from-beginning', '--max-messages', '1', ...at]);
    expect(raw.stdout.charCodeAt(0)).toBe(0);
  });

  it('Protobuf: --value-message picks a nested message of a schema with a reference; JSON Schema values print as JSON', async () => {
    const units = 'syntax = "proto3"; package cli.units; enum Unit { UNIT_UNSPECIFIED = 0; MM = 1; }';
    const registered = await fetch(`${registryUrl}/subjects/cli-units/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schemaType: 'PROTOBUF', schema: units }),
    });
    expect(registered.status).toBe(200);
    const shapes =
      'syntax = "proto3"; package cli.shapes; import "units.proto"; ' +
      'message Sheet { message Line { int64 length = 1; cli.units.Unit unit = 2; } repeated Line lines = 1; }';
    const produced = await runnel(
      [
        'produce',
        'cli-shapes',
        ...['--value-format', 'protobuf', '--value-schema', shapes, '--value-message', 'Sheet.Line'],
        ...['--value-reference', 'units.proto=cli-units:1'],
        ...at,
      ],
      '{"length": "12", "unit": "MM"}\n',
    );
    expect(produced).toMatchObject({
      code: 0,
      stderr: 'Produced 1 records in 1 batches to cli-shapes[0], offsets 0..0\n',
    });
    const consumed = await runnel([
      'consume',
      'cli-shapes',
      ...['--value-format', 'protobuf', '--from-beginning', '--exit-at-end'],
      ...at,
    ]);
    expect(consumed).toMatchObject({ code: 0, stdout: '{"length":"12","unit":"MM"}\n' });

    const json = ['--value-format', 'json', '--value-schema', '{"type": "object"}', ...at];
    expect(await runnel(['produce', 'cli-events', ...json], '{"kind": "click", "at": [1, 2]}\n')).toMatchObject({
      code: 0,
    });
    const events = await runnel([
      'consume',
      'cli-events',
      '--value-format',
      'json',
      '--from-beginning',
      '--exit-at-end',
      ...at,
    ]);
    expect(events).toMatchObject({ code: 0, stdout: '{"kind":"click","at":[1,2]}\n' });
  });

  it('a line the schema refuses exits 1 naming it, after writing the lines before it', async () => {
    const args = ['produce', 'cli-bad-line', '--value-format', 'avro', '--value-schema', JSON.stringify(order), ...at];
    const produced = await runnel(
      args,
      '{"id": 1, "note": null}\n{"id": "two", "note": null}\n{"id": 3, "note": null}\n',
    );
    expect(produced.code).toBe(1);
    expect(produced.stderr).toMatch(
      /^runnel: line 2: not Avro JSON for the schema: .*\(1 records produced before it\)\n$/,
    );
    const consumed = await runnel([
      'consume',
      'cli-bad-line',
      '--value-format',
      'avro',
      '--from-beginning',
      '--exit-at-end',
      ...at,
    ]);
    expect(consumed.stdout).toBe('{"id":1,"note":null}\n');
  });

  it('records that are not in the wire format exit 1 naming their offset; so does a record of another format', async () => {
    expect((await runnel(['produce', 'cli-plain', ...at], 'hello\n')).code).toBe(0);
    const plain = await runnel([
      'consume',
      'cli-plain',
      '--value-format',
      'avro',
      '--from-beginning',
      '--exit-at-end',
      ...at,
    ]);
    expect(plain).toMatchObject({
      code: 1,
      stderr: 'runnel: cli-plain[0] offset 0 value: unknown magic byte 104 (the registry wire format starts with 0)\n',
    });
    const avroArgs = ['--value-format', 'avro', '--value-schema', JSON.stringify(order), ...at];
    expect((await runnel(['produce', 'cli-avro-only', ...avroArgs], '{"id": 1, "note": null}\n')).code).toBe(0);
    const other = await runnel([
      'consume',
      'cli-avro-only',
      '--value-format',
      'json',
      '--from-beginning',
      '--exit-at-end',
      ...at,
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^runnel: cli-avro-only\[0\] offset 0 value: schema id \d+ is AVRO, not JSON\n$/);
  });

  it('a schema the registry refuses, a missing schema, a key format without a separator and an unreachable registry exit 1 with one line', async () => {
    const first = ['produce', 'cli-refused', '--value-format', 'avro', '--value-schema', JSON.stringify(order), ...at];
    expect((await runnel(first, '{"id": 1, "note": null}\n')).code).toBe(0);
    const incompatible = JSON.stringify({ ...order, fields: [{ name: 'id', type: 'string' }] });
    const refused = await runnel(
      ['produce', 'cli-refused', '--value-format', 'avro', '--value-schema', incompatible, ...at],
      '{"id": "x"}\n',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^runnel: schema registry: 409 Schema being registered is incompatible with an earlier schema for subject "cli-refused-value"/,
    );

    const noSchema = await runnel(['produce', 'cli-orders', '--value-format', 'avro', ...at], '{}\n');
    expect(noSchema).toMatchObject({
      code: 1,
      stderr: 'runnel: --value-format avro needs --value-schema or --value-schema-id\n',
    });

    const noSeparator = await runnel(
      ['produce', 'cli-orders', '--key-format', 'json', '--key-schema', '{}', ...at],
      'x\n',
    );
    expect(noSeparator).toMatchObject({
      code: 1,
      stderr: 'runnel: --key-format json needs --key-separator to split keys from values\n',
    });

    const protobuf = ['--value-format', 'protobuf', '--value-schema', 'syntax = "proto3"; message A { int32 a = 1; }'];
    const unknownMessage = await runnel(
      ['produce', 'cli-no-message', ...protobuf, '--value-message', 'B', ...at],
      '{}\n',
    );
    expect(unknownMessage).toMatchObject({ code: 1, stderr: 'runnel: the schema defines no message B\n' });
    // Refused before registering: the subject was never created.
    expect(await getJson('/subjects')).not.toContain('cli-no-message-value');

    const unreachable = await runnel(
      [
        'produce',
        'cli-orders',
        '--value-format',
        'avro',
        '--value-schema-id',
        '1',
        '--bootstrap-server',
        dev.bootstrap,
        '--registry-url',
        'http://127.0.0.1:1',
      ],
      '{}\n',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^runnel: schema registry: cannot reach the schema registry at http:\/\/127\.0\.0\.1:1/,
    );
  });

  it('--help of produce and consume names the formats, the schema options and the registry', async () => {
    const produce = await runnel(['produce', '--help']);
    for (const option of [
      '--value-format',
      '--value-schema <file|schema>',
      '--value-schema-id',
      '--value-message',
      '--value-reference',
      '--key-format',
      '--key-schema',
      '--no-auto-register',
      '--registry-url',
      'RUNNEL_REGISTRY_URL',
      '<topic>-value',
    ]) {
      expect(produce.stdout).toContain(option);
    }
    const consume = await runnel(['consume', '--help']);
    for (const option of ['--value-format', '--key-format', '--registry-url', 'protobuf']) {
      expect(consume.stdout).toContain(option);
    }
  });
});
