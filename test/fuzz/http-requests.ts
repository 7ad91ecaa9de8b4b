/**
 * HTTP requests for the http fuzz target, generated from the routes the
 * broker's operations port and the gateway's registry serve: the paths with
 * their parameters filled with good and hostile values, known query flags
 * with odd values, the registry's body types and others, valid bodies
 * (schemas to register, configs, modes) and damaged ones (broken JSON, wrong
 * types, deep nesting, deeply nested Avro). An input is a short sequence of
 * requests against a fresh registry, serialised as JSON so a fixture file
 * replays it exactly.
 */
import type { Random } from '@runnel/common';
import { mutateBytes } from './byte-mutations.ts';

export interface FuzzRequest {
  readonly server: 'broker' | 'gateway';
  readonly method: string;
  /** Path and query, percent-encoded where a request line needs it. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Base64 of the body bytes, or null for none. */
  readonly body: string | null;
}

const subjects = ['orders-value', 'a', '', '..', '%2F', ':.ctx:orders', 'é漢', 'x'.repeat(300), '%00', '%ZZ', '-1'];
const versions = ['1', '2', 'latest', '-1', '0', 'abc', '99999999999999999999', '1.5', '2147483648', '%20'];
const ids = ['1', '0', '-1', '2147483648', '1e3', 'abc', '99999999999999999999'];
const registryTemplates = [
  '/',
  '/contexts',
  '/v1/metadata/id',
  '/subjects',
  '/subjects/{s}',
  '/subjects/{s}/versions',
  '/subjects/{s}/versions/{v}',
  '/subjects/{s}/versions/{v}/schema',
  '/subjects/{s}/versions/{v}/referencedby',
  '/schemas',
  '/schemas/types',
  '/schemas/ids/{i}',
  '/schemas/ids/{i}/schema',
  '/schemas/ids/{i}/subjects',
  '/schemas/ids/{i}/versions',
  '/config',
  '/config/{s}',
  '/mode',
  '/mode/{s}',
  '/compatibility/subjects/{s}/versions',
  '/compatibility/subjects/{s}/versions/{v}',
  '/healthz',
  '/readyz',
  '/metrics',
  '/nope',
];
const brokerPaths = [
  '/metrics',
  '/healthz',
  '/readyz',
  '/',
  '/metrics/',
  '/healthz/x',
  '//healthz',
  '/%00',
  '/readyz#x',
];
const queryKeys = [
  'deleted',
  'deletedOnly',
  'subjectPrefix',
  'offset',
  'limit',
  'normalize',
  'verbose',
  'format',
  'fetchMaxId',
  'lookupDeletedSchema',
  'defaultToGlobal',
  'permanent',
  'force',
  'subject',
  'latestOnly',
];
const queryValues = [
  'true',
  'false',
  '1',
  '-1',
  '',
  'x',
  '99999999999999999999',
  'TRUE',
  '%00',
  'serialized',
  'resolved',
];
const methods = ['GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'];
const contentTypes = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
];

function avroSchema(rng: Random, depth: number): unknown {
  if (depth > 0 && rng.bool(0.7)) {
    return {
      type: 'record',
      name: `R${depth}`,
      fields: [{ name: 'f', type: avroSchema(rng, depth - 1) }],
    };
  }
  return rng.pick([
    'string',
    'int',
    { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] },
    { type: 'enum', name: 'E', symbols: ['A', 'B'] },
    { type: 'array', items: 'string' },
    { type: 'map', values: 'int' },
    ['null', 'string'],
    { type: 'fixed', name: 'F', size: rng.pick([1, 16, -1, 2147483647]) },
    { type: 'nope' },
  ]);
}

function schemaBody(rng: Random): unknown {
  const schemaType = rng.pick(['', 'AVRO', 'JSON', 'PROTOBUF', 'XML', 1]);
  const schema =
    schemaType === 'JSON'
      ? JSON.stringify(rng.pick([{ type: 'object' }, { type: 'string', maxLength: 3 }, { $ref: '#/nope' }, true]))
      : schemaType === 'PROTOBUF'
        ? rng.pick(['syntax = "proto3"; message M { int32 a = 1; }', 'message {', ''])
        : JSON.stringify(avroSchema(rng, rng.bool(0.02) ? 2000 : rng.int(0, 4)));
  const body: Record<string, unknown> = { schema: rng.bool(0.05) ? rng.pick([1, null, [], {}]) : schema };
  if (schemaType !== '') body.schemaType = schemaType;
  if (rng.bool(0.15)) {
    body.references = rng.pick([
      [{ name: 'r', subject: 'orders-value', version: 1 }],
      [{ name: 'r', subject: 'none', version: -1 }],
      'x',
      [null],
      Array.from({ length: 1000 }, () => ({ name: 'r', subject: 'a', version: 1 })),
    ]);
  }
  if (rng.bool(0.1)) body.id = rng.pick([1, -1, 2147483648, 'x']);
  if (rng.bool(0.1)) body.version = rng.pick([1, -1, 0, 'latest']);
  return body;
}

function jsonBody(rng: Random): Buffer {
  const value = rng.pick([
    () => schemaBody(rng),
    () => ({ compatibility: rng.pick(['BACKWARD', 'FULL_TRANSITIVE', 'NONE', 'nope', 1, null]) }),
    () => ({ mode: rng.pick(['READWRITE', 'READONLY', 'IMPORT', 'nope', null]) }),
    () => ({ normalize: 'yes', alias: 1, compatibilityGroup: [] }),
    () => rng.pick([null, 1, 'x', [], {}]),
  ])();
  const text = Buffer.from(JSON.stringify(value));
  if (rng.bool(0.6)) return text;
  if (rng.bool(0.03)) return Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  return mutateBytes(rng, text);
}

function fill(rng: Random, template: string): string {
  return template
    .replace('{s}', () => rng.pick(subjects))
    .replace('{v}', () => rng.pick(versions))
    .replace('{i}', () => rng.pick(ids));
}

function query(rng: Random): string {
  if (rng.bool(0.6)) return '';
  const parts = Array.from({ length: rng.int(1, 3) }, () => `${rng.pick(queryKeys)}=${rng.pick(queryValues)}`);
  return `?${parts.join('&')}`;
}

/** Keeps a URL sendable on a real socket: anything outside printable ASCII, and spaces, percent-encoded. */
export function requestLineSafe(url: string): string {
  return url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

function request(rng: Random, server: 'broker' | 'gateway'): FuzzRequest {
  const method = rng.pick(methods);
  const path = server === 'broker' ? rng.pick(brokerPaths) : fill(rng, rng.pick(registryTemplates));
  const headers: Record<string, string> = {};
  let body: Buffer | null = null;
  if (method !== 'GET' && method !== 'HEAD' && rng.bool(0.85)) {
    body = jsonBody(rng);
    if (rng.bool(0.9)) headers['content-type'] = rng.pick(contentTypes);
  }
  if (rng.bool(0.2)) headers.accept = rng.pick(['application/json', '*/*', 'text/html', '']);
  if (rng.bool(0.05)) headers['x-runnel-registry-forwarded'] = '1';
  return {
    server,
    method,
    url: requestLineSafe(path + query(rng)),
    headers,
    body: body === null ? null : body.toString('base64'),
  };
}

/** One to three requests; a gateway sequence often starts by registering a schema, so later ones find things. */
export function generateHttpRequests(rng: Random): FuzzRequest[] {
  const server = rng.bool(0.25) ? 'broker' : 'gateway';
  const out: FuzzRequest[] = [];
  if (server === 'gateway' && rng.bool(0.3)) {
    out.push({
      server,
      method: 'POST',
      url: '/subjects/orders-value/versions',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: Buffer.from(JSON.stringify({ schema: JSON.stringify(avroSchema(rng, 1)) })).toString('base64'),
    });
  }
  for (let i = rng.int(1, 2); i > 0; i--) out.push(request(rng, server));
  return out;
}
