/**
 * One page of the registry's subjects for the console: the registry's
 * `GET /subjects` answers them all at once (Confluent's has no paging), so
 * the gateway filters (case-insensitive substring) and pages them itself
 * and only the page's subjects are looked up further.
 */

export interface SubjectPage {
  subjects: string[];
  /** Subjects matching the filter, over all pages. */
  total: number;
  /** 1-based; clamped to the last page (page 1 of nothing is an empty first page). */
  page: number;
  pageSize: number;
  pages: number;
}

export const subjectPageSizeMax = 100;

export function pageSubjects(all: readonly string[], filter: string, page: number, pageSize: number): SubjectPage {
  const needle = filter.trim().toLowerCase();
  const matching = [...all].filter((s) => needle === '' || s.toLowerCase().includes(needle)).sort(compareText);
  const pages = Math.max(1, Math.ceil(matching.length / pageSize));
  const shown = Math.min(Math.max(1, page), pages);
  return {
    subjects: matching.slice((shown - 1) * pageSize, shown * pageSize),
    total: matching.length,
    page: shown,
    pageSize,
    pages,
  };
}

/** Code-point order, so the order does not depend on the gateway's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
