/**
 * The schemas pages: `#/schemas` lists the registry's subjects, filtered and
 * paged on the gateway (`?filter=&page=&pageSize=` in the fragment, so a
 * link keeps its page); `#/schemas/<subject>` shows a subject's versions, a
 * diff between two of them and a compatibility check (schemas/subject-view.tsx).
 */
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SubjectPageAnswer } from '../../../src/console/message-schema-api-types.ts';
import { apiGet } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { formatCount } from '../format.ts';
import { href, hrefWithQuery, type Route } from '../router.ts';
import { SubjectView } from '../schemas/subject-view.tsx';
import { usePoll } from '../use-poll.ts';
import '../messages/messages.css';

export function SchemasPage({ route }: { route: Route }) {
  const subject = route.segments[1];
  if (subject !== undefined) return <SubjectView key={subject} subject={subject} />;
  return <SubjectList query={route.query} />;
}

/** The list's query in the fragment, with defaults dropped. */
function listHref(filter: string, page: number, pageSize: string): string {
  const query: Record<string, string> = {};
  if (filter !== '') query.filter = filter;
  if (page > 1) query.page = String(page);
  if (pageSize !== '') query.pageSize = pageSize;
  return hrefWithQuery(['schemas'], query);
}

function SubjectList({ query }: { query: URLSearchParams }) {
  const filter = query.get('filter') ?? '';
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const pageSize = query.get('pageSize') ?? '';
  const [typed, setTyped] = useState(filter);
  useEffect(() => setTyped(filter), [filter]);
  const api = new URLSearchParams({ filter, page: String(page), ...(pageSize === '' ? {} : { pageSize }) });
  const { data, error } = usePoll(
    (signal) => apiGet<SubjectPageAnswer>(`/ui/api/schemas/subjects?${api.toString()}`, { signal }),
    null,
    [api.toString()],
  );
  const submit = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    window.location.hash = listHref(typed.trim(), 1, pageSize);
  };
  return (
    <section aria-labelledby="page-title">
      <PageTitle title="Schemas">
        {data === null ? null : <p class="muted">{formatCount(data.total)} subjects</p>}
      </PageTitle>
      <form class="panel" aria-label="Filter subjects" onSubmit={submit}>
        <label>
          Subject name contains
          <input
            type="search"
            value={typed}
            data-testid="subject-filter"
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={error} />
      {data === null ? <Loading what="subjects" /> : <SubjectTable data={data} filter={filter} pageSize={pageSize} />}
    </section>
  );
}

function SubjectTable({ data, filter, pageSize }: { data: SubjectPageAnswer; filter: string; pageSize: string }) {
  if (data.total === 0) return <p class="muted">No subject matches.</p>;
  return (
    <>
      <table aria-label="Subjects">
        <thead>
          <tr>
            <th scope="col">Subject</th>
            <th scope="col">Type</th>
            <th scope="col" class="num">
              Latest version
            </th>
            <th scope="col" class="num">
              Schema id
            </th>
          </tr>
        </thead>
        <tbody>
          {data.subjects.map((s) => (
            <tr key={s.subject} data-testid="subject-row">
              <td>
                <a href={href('schemas', s.subject)}>{s.subject}</a>
              </td>
              <td>{s.schemaType ?? '—'}</td>
              <td class="num">{s.latestVersion ?? '—'}</td>
              <td class="num">{s.id ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Subject pages">
        {data.page > 1 ? <a href={listHref(filter, data.page - 1, pageSize)}>Previous page</a> : null}
        <span data-testid="page-info">
          Page {data.page} of {data.pages}
        </span>
        {data.page < data.pages ? (
          <a href={listHref(filter, data.page + 1, pageSize)} data-testid="next-page">
            Next page
          </a>
        ) : null}
      </nav>
    </>
  );
}
