/**
 * The Schema Registry's HTTP API as the e2e tests drive it: one call with
 * the registry's content type, the answer's status and body (parsed JSON,
 * or the text when it is not JSON, as a raw Protobuf schema is).
 */
import { waitFor } from './wait.ts';

export const registryContentType = 'application/vnd.schemaregistry.v1+json';

export interface RegistryAnswer {
  status: number;
  body: unknown;
}

export async function registryCall(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RegistryAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': registryContentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text };
  }
}

/** Resolves once the gateway at `base` answers /readyz with 200. */
export async function registryReady(base: string): Promise<void> {
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: `${base} ready` });
}
