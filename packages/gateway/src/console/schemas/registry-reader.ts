/**
 * The console's view of the Schema Registry: the few calls the schemas page
 * makes, over HTTP to the gateway's registry port (`RestContext.registryUrl`),
 * as any Confluent-compatible registry answers them. A registry error
 * answers the console with the registry's own code and message (40401
 * subject not found, 40402 version not found, 42201 invalid schema, ...);
 * a registry that cannot be reached, or does not answer within the timeout,
 * answers 502. Owned by the console routes; holds no state but the URL.
 */
import { RestError } from '../../rest/rest-error.ts';

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: string;
  schema: string;
  references: unknown[];
}

export interface CompatibilityVerdict {
  is_compatible: boolean;
  messages: string[];
}

const requestTimeoutMs = 10_000;
const registryUnreachable = 502;

export class RegistryReader {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async subjects(): Promise<string[]> {
    return stringList(await this.#call('GET', '/subjects'));
  }

  async versions(subject: string): Promise<number[]> {
    const answer = await this.#call('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
    return Array.isArray(answer) ? answer.filter((v): v is number => typeof v === 'number') : [];
  }

  async version(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    const answer = record(await this.#call('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`));
    return {
      subject: String(answer.subject ?? subject),
      version: Number(answer.version),
      id: Number(answer.id),
      // The registry leaves schemaType out for Avro, as Confluent's does.
      schemaType: typeof answer.schemaType === 'string' ? answer.schemaType : 'AVRO',
      schema: String(answer.schema ?? ''),
      references: Array.isArray(answer.references) ? answer.references : [],
    };
  }

  /** The subject's compatibility level, falling back to the global one. */
  async compatibilityLevel(subject: string): Promise<string | null> {
    const answer = record(await this.#call('GET', `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`));
    return typeof answer.compatibilityLevel === 'string' ? answer.compatibilityLevel : null;
  }

  /** Whether `schema` could be registered after `version` of `subject`, with the registry's reasons when not. */
  async checkCompatibility(
    subject: string,
    version: number | 'latest',
    schema: { schema: string; schemaType: string },
  ): Promise<CompatibilityVerdict> {
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`;
    const answer = record(await this.#call('POST', path, schema));
    return { is_compatible: answer.is_compatible === true, messages: stringList(answer.messages) };
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new RestError(registryUnreachable, `schema registry unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): reported by status below.
    }
    if (response.ok) return parsed;
    const answer = record(parsed);
    const code = typeof answer.error_code === 'number' ? answer.error_code : response.status;
    const message = typeof answer.message === 'string' ? answer.message : `schema registry answered ${response.status}`;
    // A registry 5xx is the registry's failure, not the request's: the console reports it as a bad gateway.
    throw new RestError(response.status >= 500 ? registryUnreachable : code, message);
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
