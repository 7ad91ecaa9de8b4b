/**
 * REST Proxy v3 calls as the e2e tests make them under one cluster
 * (`/v3/clusters/<id>/...`), and the checks of Confluent's answers: list
 * bodies and error bodies (status, JSON content type, error_code).
 */
import { expect } from 'vitest';
import { type RestAnswer, restCall } from './rest-http.ts';

export class V3Session {
  /** The gateway's REST URL and the cluster id, known once the suite's cluster is up. */
  base = '';
  clusterId = '';

  /** `path` follows /v3/clusters/<id>. */
  call(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    return restCall(this.base, method, `/v3/clusters/${this.clusterId}${path}`, body);
  }

  /** The absolute URL the gateway builds for `path` under the cluster. */
  url(path: string): string {
    return `${this.base}/v3/clusters/${this.clusterId}${path}`;
  }

  async createTopic(body: Record<string, unknown>): Promise<void> {
    const answer = await this.call('POST', '/topics', body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  }
}

/** A v3 list's `data`. */
export function listData(answer: RestAnswer): Record<string, unknown>[] {
  return (answer.body as { data: Record<string, unknown>[] }).data;
}

export function expectV3Error(answer: RestAnswer, status: number, code: number, message?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.contentType).toMatch(/^application\/json/);
  const body = answer.body as { error_code: number; message: string };
  expect(body.error_code).toBe(code);
  if (message !== undefined) expect(body.message).toMatch(message);
}
