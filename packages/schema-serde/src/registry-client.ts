/**
 * A small client of a Confluent-compatible Schema Registry (Runnel's
 * gateway, Confluent's, Karapace) over Node's fetch: register, look up,
 * get by id and by subject version, and resolve references. Owned by its
 * creator; answers are cached (by id, by subject and schema, by subject and
 * version number), since ids and numbered versions never change meaning,
 * and a failed request is not cached. A non-2xx answer rejects with a
 * `RegistryError` carrying the registry's status, error code and message.
 */
import type { ResolvedSchema, Schema, SchemaReference, SchemaType } from './schema.ts';

const contentType = 'application/vnd.schemaregistry.v1+json';
/** References deeper than this are a loop or a mistake, not a schema. */
const referenceDepthMax = 32;

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  /** The HTTP status; 0 when the registry did not answer or answered nonsense. */
  readonly status: number;
  /** Confluent's error code (40401, 42201, 409...), else the status. */
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

export interface RegisteredVersion {
  subject: string;
  id: number;
  version: number;
  schema: Schema;
}

export class RegistryClient {
  readonly #baseUrl: string;
  readonly #requestTimeoutMs: number;
  readonly #byId = new Map<number, Promise<Schema>>();
  readonly #idBySchema = new Map<string, Promise<number>>();
  readonly #byVersion = new Map<string, Promise<RegisteredVersion>>();

  /** `baseUrl` as Confluent's clients take it (`http://127.0.0.1:8081`); a request not answered in `requestTimeoutMs` fails. */
  constructor(baseUrl: string, options: { requestTimeoutMs?: number } = {}) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Registers `schema` under `subject` (or finds it there) and returns its id. */
  register(subject: string, schema: Schema, options: { normalize?: boolean } = {}): Promise<number> {
    const key = `${subject}\n${options.normalize === true}\n${JSON.stringify(schema)}`;
    return this.#cached(this.#idBySchema, key, async () => {
      const query = options.normalize === true ? '?normalize=true' : '';
      const answer = await this.#request('POST', `/subjects/${enc(subject)}/versions${query}`, requestBody(schema));
      return readId(answer);
    });
  }

  /** The version of `subject` that holds `schema`; 40403 (schema not found) or 40401 when none does. */
  async lookup(subject: string, schema: Schema): Promise<RegisteredVersion> {
    return readVersion(await this.#request('POST', `/subjects/${enc(subject)}`, requestBody(schema)));
  }

  schemaById(id: number): Promise<Schema> {
    return this.#cached(this.#byId, id, async () => readSchema(await this.#request('GET', `/schemas/ids/${id}`)));
  }

  /** A subject's version by number (cached), or its latest (asked each time). */
  version(subject: string, version: number | 'latest'): Promise<RegisteredVersion> {
    const fetchVersion = async (): Promise<RegisteredVersion> =>
      readVersion(await this.#request('GET', `/subjects/${enc(subject)}/versions/${version}`));
    if (version === 'latest') return fetchVersion();
    return this.#cached(this.#byVersion, `${subject}\n${version}`, fetchVersion);
  }

  /** `schema` with every schema it references, transitively (see ResolvedSchema). */
  async resolve(schema: Schema): Promise<ResolvedSchema> {
    const referenced: { name: string; schema: Schema }[] = [];
    const seen = new Set<string>();
    const visit = async (references: readonly SchemaReference[], depth: number): Promise<void> => {
      if (depth > referenceDepthMax)
        throw new RegistryError(422, 42201, `references nest deeper than ${referenceDepthMax}`);
      for (const reference of references) {
        const key = `${reference.subject}\n${reference.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const target = await this.version(reference.subject, reference.version);
        await visit(target.schema.references, depth + 1);
        referenced.push({ name: reference.name, schema: target.schema });
      }
    };
    await visit(schema.references, 0);
    return { schema, referenced };
  }

  #cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const loading = load();
    cache.set(key, loading);
    // A failure (registry down, subject missing) may not be final: the next call asks again.
    loading.catch(() => cache.delete(key));
    return loading;
  }

  async #request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const init: RequestInit = {
      method,
      headers: { accept: contentType },
      signal: AbortSignal.timeout(this.#requestTimeoutMs),
    };
    if (body !== undefined) {
      init.headers = { accept: contentType, 'content-type': contentType };
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, init);
    } catch (error) {
      throw new RegistryError(0, 0, `cannot reach the schema registry at ${this.#baseUrl}: ${why(error)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new RegistryError(0, 0, `the schema registry at ${this.#baseUrl} did not finish its answer: ${why(error)}`);
    }
    let answer: unknown = null;
    try {
      answer = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): the status and text say what happened.
    }
    if (!response.ok) {
      const record = isRecord(answer) ? answer : {};
      const errorCode = typeof record.error_code === 'number' ? record.error_code : response.status;
      const message = typeof record.message === 'string' ? record.message : text.slice(0, 200);
      throw new RegistryError(response.status, errorCode, message);
    }
    return answer;
  }
}

function why(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  return error.cause instanceof Error ? error.cause.message : error.message;
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}

function requestBody(schema: Schema): Record<string, unknown> {
  const body: Record<string, unknown> = { schema: schema.schema };
  // Confluent's clients leave schemaType out for Avro (the default) and references out when there are none.
  if (schema.schemaType !== 'AVRO') body.schemaType = schema.schemaType;
  if (schema.references.length > 0) body.references = schema.references;
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(what: string): RegistryError {
  return new RegistryError(0, 0, `the registry's answer has no ${what}`);
}

function readId(answer: unknown): number {
  if (!isRecord(answer) || typeof answer.id !== 'number') throw malformed('id');
  return answer.id;
}

function readSchema(answer: unknown): Schema {
  if (!isRecord(answer) || typeof answer.schema !== 'string') throw malformed('schema');
  const schemaType = (answer.schemaType ?? 'AVRO') as SchemaType;
  if (schemaType !== 'AVRO' && schemaType !== 'JSON' && schemaType !== 'PROTOBUF') throw malformed('known schemaType');
  const references: SchemaReference[] = [];
  for (const reference of Array.isArray(answer.references) ? answer.references : []) {
    if (
      !isRecord(reference) ||
      typeof reference.name !== 'string' ||
      typeof reference.subject !== 'string' ||
      typeof reference.version !== 'number'
    ) {
      throw malformed('well-formed references');
    }
    references.push({ name: reference.name, subject: reference.subject, version: reference.version });
  }
  return { schemaType, schema: answer.schema, references };
}

function readVersion(answer: unknown): RegisteredVersion {
  if (!isRecord(answer) || typeof answer.subject !== 'string' || typeof answer.version !== 'number') {
    throw malformed('subject and version');
  }
  return { subject: answer.subject, id: readId(answer), version: answer.version, schema: readSchema(answer) };
}
