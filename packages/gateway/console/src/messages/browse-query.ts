/**
 * The message browser's query as it lives in the URL's fragment
 * (`#/messages/<topic>?start=offset&offset=5&partitions=0,2`): the same
 * names the gateway's /ui/api/messages/<topic> takes, so a link or a reload
 * shows the same read, and the API call is the fragment's query as it is.
 * Pure: the page turns its form into a query and back.
 */

export type BrowseStart = 'newest' | 'earliest' | 'offset' | 'timestamp';

export interface BrowseForm {
  /** Comma-separated partitions; empty for all. */
  partitions: string;
  start: BrowseStart;
  offset: string;
  /** Milliseconds since the epoch, as text; empty when not set. */
  timestamp: string;
  key: string;
  keyEncoding: 'utf8' | 'hex';
  limit: string;
}

const starts: readonly BrowseStart[] = ['newest', 'earliest', 'offset', 'timestamp'];
export const defaultLimit = '50';

export function formFromQuery(query: URLSearchParams): BrowseForm {
  const start = query.get('start') ?? 'newest';
  return {
    partitions: query.get('partitions') ?? '',
    start: (starts as readonly string[]).includes(start) ? (start as BrowseStart) : 'newest',
    offset: query.get('offset') ?? '',
    timestamp: query.get('timestamp') ?? '',
    key: query.get('key') ?? '',
    keyEncoding: query.get('keyEncoding') === 'hex' ? 'hex' : 'utf8',
    limit: query.get('limit') ?? defaultLimit,
  };
}

/**
 * The query a form asks, with only what it uses: no partitions with a key (the key decides), the offset only for
 * start=offset, the timestamp only for start=timestamp, defaults left out.
 */
export function queryOfForm(form: BrowseForm): Record<string, string> {
  const query: Record<string, string> = {};
  if (form.start !== 'newest') query.start = form.start;
  if (form.start === 'offset') query.offset = form.offset.trim();
  if (form.start === 'timestamp') query.timestamp = form.timestamp.trim();
  if (form.key !== '') {
    query.key = form.key;
    if (form.keyEncoding === 'hex') query.keyEncoding = 'hex';
  } else if (form.partitions !== '') {
    query.partitions = form.partitions;
  }
  if (form.limit.trim() !== '' && form.limit.trim() !== defaultLimit) query.limit = form.limit.trim();
  return query;
}

/** The partitions a comma list names, for the checkboxes. */
export function partitionSet(partitions: string): Set<number> {
  return new Set(
    partitions
      .split(',')
      .filter((p) => p.trim() !== '')
      .map((p) => Number(p)),
  );
}

/** The comma list of checked partitions, ascending; empty when none (read them all). */
export function partitionList(checked: ReadonlySet<number>): string {
  return [...checked].sort((a, b) => a - b).join(',');
}

/** A datetime-local input's value for `ms`, in the browser's time zone (to the second). */
export function localInputOfMs(ms: number, timezoneOffsetMinutes: number): string {
  return new Date(ms - timezoneOffsetMinutes * 60_000).toISOString().slice(0, 19);
}

/** Milliseconds for a datetime-local value in the browser's time zone; null when it does not parse. */
export function msOfLocalInput(value: string, timezoneOffsetMinutes: number): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const asUtc = Date.parse(`${value}Z`);
  return Number.isNaN(asUtc) ? null : asUtc + timezoneOffsetMinutes * 60_000;
}
