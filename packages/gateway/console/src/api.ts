/**
 * Calls to the gateway's JSON endpoints from the browser. Errors come back
 * in the REST Proxy's shape, `{error_code, message}`; callers get an
 * ApiError carrying the message so a page can show it as it is.
 */

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly errorCode: number | null;

  constructor(status: number, errorCode: number | null, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) {
    const shaped =
      typeof body === 'object' && body !== null ? (body as { error_code?: unknown; message?: unknown }) : {};
    const message = typeof shaped.message === 'string' ? shaped.message : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, typeof shaped.error_code === 'number' ? shaped.error_code : null, message);
  }
  return body as T;
}

/** GET `path` (e.g. `/ui/api/topics`) and parse the JSON answer. */
export async function apiGet<T>(path: string, init: { signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, ...init });
  return answer<T>(response);
}

/** A request with a JSON body (POST, PUT, PATCH, DELETE). */
export async function apiSend<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answer<T>(response);
}

/** A path segment escaped for the URL: apiPath('/ui/api/topics', name). */
export function apiPath(base: string, ...segments: string[]): string {
  return [base, ...segments.map((s) => encodeURIComponent(s))].join('/');
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
