/**
 * The shapes every REST Proxy v3 answer shares, as Confluent's kafka-rest
 * gives them: a resource is `{kind, metadata: {self, resource_name}, ...}`,
 * a collection `{kind, metadata: {self, next: null}, data: [...]}`, and a
 * link to another resource is `{related: url}`. URLs are absolute, built on
 * the base the caller reached (the request's Host, as Confluent does when no
 * advertised listener is configured). Pure.
 */

export interface Relationship {
  related: string;
}

export interface ResourceMetadata {
  self: string;
  resource_name: string | null;
}

export type Resource<T> = { kind: string; metadata: ResourceMetadata } & T;

export interface Collection<T> {
  kind: string;
  metadata: { self: string; next: string | null };
  data: T[];
}

/** URLs and resource names (CRNs) under one cluster, for one request. */
export class V3Urls {
  readonly base: string;
  readonly clusterId: string;

  constructor(base: string, clusterId: string) {
    this.base = base.replace(/\/+$/, '');
    this.clusterId = clusterId;
  }

  /** `<base>/v3/clusters/<id>/<segments...>`, each segment URL-encoded. */
  url(...segments: readonly (string | number)[]): string {
    const tail = segments.map((s) => `/${encodeURIComponent(String(s))}`).join('');
    return `${this.base}/v3/clusters/${encodeURIComponent(this.clusterId)}${tail}`;
  }

  related(...segments: readonly (string | number)[]): Relationship {
    return { related: this.url(...segments) };
  }

  /** Confluent's resource name: `crn:///kafka=<cluster>/<part>/<part>...` (parts like `topic=orders`). */
  crn(...parts: readonly string[]): string {
    return [`crn:///kafka=${this.clusterId}`, ...parts].join('/');
  }
}

export function resource<T extends object>(
  kind: string,
  self: string,
  resourceName: string | null,
  fields: T,
): Resource<T> {
  return { kind, metadata: { self, resource_name: resourceName }, ...fields };
}

export function collection<T>(kind: string, self: string, data: T[]): Collection<T> {
  return { kind, metadata: { self, next: null }, data };
}

/** The base URL a caller reached: the Host it asked for, else the gateway's advertised URL. */
export function requestBase(protocol: string, host: string | undefined, advertisedUrl: string): string {
  if (host !== undefined && host !== '' && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) return `${protocol}://${host}`;
  return advertisedUrl;
}
