/**
 * The console's routes live in the URL's fragment (`#/topics/orders?x=1`),
 * so the gateway serves one page for every route and a reload or a shared
 * link lands on the same view. Pure: the App reads location.hash and calls
 * parseRoute; links are plain `<a href={href(...)}>`.
 */

export interface Route {
  /** The path's segments, decoded: `#/topics/a%2Fb` is ['topics', 'a/b']. */
  segments: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const queryAt = text.indexOf('?');
  const path = queryAt < 0 ? text : text.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : text.slice(queryAt + 1));
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query };
}

/** The fragment link for a route: href('topics', name) is `#/topics/<name escaped>`. */
export function href(...segments: string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/** The fragment link with a query: hrefWithQuery(['messages', topic], { offset: '5' }). */
export function hrefWithQuery(segments: string[], query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search === '' ? href(...segments) : `${href(...segments)}?${search}`;
}
