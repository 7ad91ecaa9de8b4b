/**
 * The schemas page's endpoints under /ui/api/schemas: subjects paged and
 * filtered on the gateway (subject-page.ts), a subject's versions, one
 * version, a line diff between two versions (line-diff.ts), and a
 * compatibility check of a pasted schema against a version (the registry's
 * own /compatibility endpoint, verbose). All of it read from the registry
 * over HTTP (registry-reader.ts), so the answers are the registry's.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../../rest/rest-context.ts';
import { diffableSchema, lineDiff } from './line-diff.ts';
import { RegistryReader, type SubjectVersion } from './registry-reader.ts';
import { pageSubjects, subjectPageSizeMax } from './subject-page.ts';

const subjectParams = {
  type: 'object',
  required: ['subject'],
  properties: { subject: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

const versionPattern = '^(latest|[1-9][0-9]{0,8})$';

type Version = number | 'latest';

const parseVersion = (text: string | undefined): Version =>
  text === undefined || text === 'latest' ? 'latest' : Number(text);

/** Subjects looked up at once while a page is filled: the page's latest versions come from the registry. */
const lookupsInFlight = 8;

export function registerSchemaRoutes(app: FastifyInstance, context: RestContext): void {
  const registry = new RegistryReader(context.registryUrl);

  app.get<{ Querystring: { filter?: string; page?: number; pageSize?: number } }>(
    '/ui/api/schemas/subjects',
    {
      schema: {
        summary: "A page of the registry's subjects, filtered, each with its latest version",
        tags: ['console'],
        querystring: {
          type: 'object',
          properties: {
            filter: { type: 'string', maxLength: 512, description: 'Case-insensitive part of the subject name.' },
            page: { type: 'integer', minimum: 1, description: '1-based (default 1); past the last page, the last.' },
            pageSize: { type: 'integer', minimum: 1, maximum: subjectPageSizeMax, description: 'Default 20.' },
          },
        },
      },
    },
    async (request) => {
      const { filter = '', page = 1, pageSize = 20 } = request.query;
      const paged = pageSubjects(await registry.subjects(), filter, page, pageSize);
      const latest = await mapBounded(paged.subjects, lookupsInFlight, (subject) =>
        registry.version(subject, 'latest').then(
          (v) => ({ subject, latestVersion: v.version, id: v.id, schemaType: v.schemaType }),
          // Deleted between the list and the lookup: listed without a version.
          () => ({ subject, latestVersion: null, id: null, schemaType: null }),
        ),
      );
      return { ...paged, subjects: latest };
    },
  );

  app.get<{ Params: { subject: string } }>(
    '/ui/api/schemas/subjects/:subject',
    {
      schema: {
        summary: "A subject's versions, its compatibility level and its latest schema",
        tags: ['console'],
        params: subjectParams,
      },
    },
    async (request) => {
      const { subject } = request.params;
      const [versions, compatibilityLevel, latest] = await Promise.all([
        registry.versions(subject),
        registry.compatibilityLevel(subject),
        registry.version(subject, 'latest'),
      ]);
      return { subject, versions, compatibilityLevel, latest: shown(latest) };
    },
  );

  app.get<{ Params: { subject: string; version: string } }>(
    '/ui/api/schemas/subjects/:subject/versions/:version',
    {
      schema: {
        summary: 'One version of a subject, with its schema pretty-printed',
        tags: ['console'],
        params: {
          type: 'object',
          required: ['subject', 'version'],
          properties: { ...subjectParams.properties, version: { type: 'string', pattern: versionPattern } },
        },
      },
    },
    async (request) => shown(await registry.version(request.params.subject, parseVersion(request.params.version))),
  );

  app.get<{ Params: { subject: string }; Querystring: { from: string; to?: string } }>(
    '/ui/api/schemas/subjects/:subject/diff',
    {
      schema: {
        summary: 'A line diff between two versions of a subject (Avro and JSON Schema pretty-printed first)',
        tags: ['console'],
        params: subjectParams,
        querystring: {
          type: 'object',
          required: ['from'],
          properties: {
            from: { type: 'string', pattern: versionPattern, description: 'The old version.' },
            to: { type: 'string', pattern: versionPattern, description: 'The new version (default latest).' },
          },
        },
      },
    },
    async (request) => {
      const { subject } = request.params;
      const [from, to] = await Promise.all([
        registry.version(subject, parseVersion(request.query.from)),
        registry.version(subject, parseVersion(request.query.to)),
      ]);
      const diff = lineDiff(diffableSchema(from.schemaType, from.schema), diffableSchema(to.schemaType, to.schema));
      return {
        subject,
        from: { version: from.version, id: from.id, schemaType: from.schemaType },
        to: { version: to.version, id: to.id, schemaType: to.schemaType },
        ...diff,
      };
    },
  );

  app.post<{ Params: { subject: string }; Body: { schema: string; schemaType?: string; version?: string } }>(
    '/ui/api/schemas/subjects/:subject/compatibility',
    {
      schema: {
        summary:
          "Whether a schema could be registered after a version of the subject (the registry's verdict, verbose)",
        tags: ['console'],
        params: subjectParams,
        body: {
          type: 'object',
          required: ['schema'],
          properties: {
            schema: { type: 'string', minLength: 1, maxLength: 1024 * 1024 },
            schemaType: { type: 'string', enum: ['AVRO', 'JSON', 'PROTOBUF'], description: 'Default AVRO.' },
            version: { type: 'string', pattern: versionPattern, description: 'Checked against (default latest).' },
          },
        },
      },
    },
    async (request) => {
      const { subject } = request.params;
      const { schema, schemaType = 'AVRO', version } = request.body;
      const against = parseVersion(version);
      const [verdict, compatibilityLevel] = await Promise.all([
        registry.checkCompatibility(subject, against, { schema, schemaType }),
        registry.compatibilityLevel(subject),
      ]);
      return { subject, version: against, compatibilityLevel, ...verdict };
    },
  );
}

function shown(version: SubjectVersion) {
  return { ...version, pretty: diffableSchema(version.schemaType, version.schema) };
}

/** `work` over `items`, at most `inFlight` at once, answers in the items' order. */
async function mapBounded<T, R>(items: readonly T[], inFlight: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return results;
}
