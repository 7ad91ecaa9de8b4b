/**
 * The message browser: pick a topic, then read it by offset, by timestamp or
 * by key (a key search reads only the key's partition), with keys and values
 * decoded through the Schema Registry, headers, a report of what was
 * scanned, and an export of the shown records as JSON lines. The read lives
 * in the URL's fragment (messages/browse-query.ts), so a link or a reload
 * shows the same read.
 */
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type {
  MessagePage,
  MessagePartitionsAnswer,
  MessageTopicsAnswer,
} from '../../../src/console/message-schema-api-types.ts';
import { apiGet, apiPath, errorText } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import {
  type BrowseForm,
  type BrowseStart,
  formFromQuery,
  localInputOfMs,
  msOfLocalInput,
  partitionList,
  partitionSet,
  queryOfForm,
} from '../messages/browse-query.ts';
import { HeadersCell, PartCell, ScanSummary } from '../messages/record-cells.tsx';
import { exportFileName, recordsAsJsonLines } from '../messages/records-export.ts';
import { href, hrefWithQuery, type Route } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import '../messages/messages.css';

export function MessagesPage({ route }: { route: Route }) {
  const topic = route.segments[1] ?? null;
  return (
    <section aria-labelledby="page-title">
      <PageTitle title="Messages" />
      <TopicPicker topic={topic} />
      {topic === null ? (
        <p class="muted">Pick a topic to read its messages.</p>
      ) : (
        <TopicMessages key={topic} topic={topic} queryText={route.query.toString()} />
      )}
    </section>
  );
}

function TopicPicker({ topic }: { topic: string | null }) {
  const { data, error } = usePoll((signal) => apiGet<MessageTopicsAnswer>('/ui/api/messages', { signal }), null, []);
  const names = data?.topics.map((t) => t.name) ?? [];
  if (topic !== null && !names.includes(topic)) names.unshift(topic);
  return (
    <div class="picker">
      <label>
        Topic
        <select
          value={topic ?? ''}
          data-testid="topic-picker"
          onChange={(event) => {
            const name = event.currentTarget.value;
            window.location.hash = name === '' ? '#/messages' : href('messages', name);
          }}
        >
          <option value="">Choose a topic…</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={error} />
    </div>
  );
}

interface ReadState {
  page: MessagePage | null;
  error: string | null;
  loading: boolean;
}

function TopicMessages({ topic, queryText }: { topic: string; queryText: string }) {
  const [form, setForm] = useState<BrowseForm>(() => formFromQuery(new URLSearchParams(queryText)));
  const [read, setRead] = useState<ReadState>({ page: null, error: null, loading: true });
  const [again, setAgain] = useState(0);
  const partitions = usePoll(
    (signal) => apiGet<MessagePartitionsAnswer>(`${apiPath('/ui/api/messages', topic)}/partitions`, { signal }),
    null,
    [topic, again],
  );

  useEffect(() => setForm(formFromQuery(new URLSearchParams(queryText))), [queryText]);

  useEffect(() => {
    const controller = new AbortController();
    setRead((r) => ({ ...r, loading: true, error: null }));
    const path = `${apiPath('/ui/api/messages', topic)}${queryText === '' ? '' : `?${queryText}`}`;
    apiGet<MessagePage>(path, { signal: controller.signal }).then(
      (page) => setRead({ page, error: null, loading: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setRead({ page: null, error: errorText(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [topic, queryText, again]);

  const submit = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const next = hrefWithQuery(['messages', topic], queryOfForm(form));
    // The same read again: the fragment does not change, so no hashchange comes; read it anyway.
    if (next === window.location.hash) setAgain((n) => n + 1);
    else window.location.hash = next;
  };

  return (
    <>
      <BrowseFormView
        form={form}
        setForm={setForm}
        partitionCount={partitions.data?.partitionCount ?? 0}
        ranges={partitions.data?.partitions ?? []}
        onSubmit={submit}
      />
      <ErrorNote error={read.error ?? partitions.error} />
      {read.loading ? <Loading what="messages" /> : null}
      {read.page === null ? null : <ReadResult topic={topic} page={read.page} />}
    </>
  );
}

interface FormProps {
  form: BrowseForm;
  setForm: (form: BrowseForm) => void;
  partitionCount: number;
  ranges: MessagePartitionsAnswer['partitions'];
  onSubmit: (event: TargetedSubmitEvent<HTMLFormElement>) => void;
}

function BrowseFormView({ form, setForm, partitionCount, ranges, onSubmit }: FormProps) {
  const checked = partitionSet(form.partitions);
  const toggle = (partition: number, on: boolean): void => {
    const next = new Set(checked);
    if (on) next.add(partition);
    else next.delete(partition);
    setForm({ ...form, partitions: partitionList(next) });
  };
  const timestampMs = form.timestamp === '' ? null : Number(form.timestamp);
  return (
    <form class="panel browse-form" onSubmit={onSubmit} aria-label="Read messages">
      <fieldset disabled={form.key !== ''}>
        <legend>Partitions{form.key === '' ? ' (none checked: all)' : ': the key decides'}</legend>
        {ranges.map((r) => (
          <label class="inline" key={r.partition}>
            <input
              type="checkbox"
              checked={checked.has(r.partition)}
              onChange={(event) => toggle(r.partition, event.currentTarget.checked)}
            />
            {r.partition}{' '}
            <span class="muted">
              ({r.lowWatermark}–{r.highWatermark})
            </span>
          </label>
        ))}
        {partitionCount > ranges.length ? <p class="muted">Only the first {ranges.length} are listed.</p> : null}
      </fieldset>
      <div class="browse-row">
        <label>
          Start
          <select
            value={form.start}
            data-testid="start"
            onChange={(event) => setForm({ ...form, start: event.currentTarget.value as BrowseStart })}
          >
            <option value="newest">Newest records</option>
            <option value="earliest">From the beginning</option>
            <option value="offset">From an offset</option>
            <option value="timestamp">From a time</option>
          </select>
        </label>
        {form.start === 'offset' ? (
          <label>
            Offset
            <input
              type="number"
              min={0}
              required
              value={form.offset}
              data-testid="offset"
              onInput={(event) => setForm({ ...form, offset: event.currentTarget.value })}
            />
          </label>
        ) : null}
        {form.start === 'timestamp' ? (
          <label>
            From (your time zone)
            <input
              type="datetime-local"
              step={1}
              required
              data-testid="timestamp"
              value={timestampMs === null ? '' : localInputOfMs(timestampMs, new Date(timestampMs).getTimezoneOffset())}
              onInput={(event) => {
                const value = event.currentTarget.value;
                const ms = msOfLocalInput(value, new Date(value).getTimezoneOffset());
                setForm({ ...form, timestamp: ms === null ? '' : String(ms) });
              }}
            />
          </label>
        ) : null}
        <label>
          Key (exact)
          <input
            type="search"
            value={form.key}
            data-testid="key"
            placeholder="any key"
            onInput={(event) => setForm({ ...form, key: event.currentTarget.value })}
          />
        </label>
        <label>
          Key given as
          <select
            value={form.keyEncoding}
            onChange={(event) =>
              setForm({ ...form, keyEncoding: event.currentTarget.value === 'hex' ? 'hex' : 'utf8' })
            }
          >
            <option value="utf8">text (UTF-8)</option>
            <option value="hex">hex bytes</option>
          </select>
        </label>
        <label>
          Records
          <input
            type="number"
            min={1}
            max={500}
            value={form.limit}
            onInput={(event) => setForm({ ...form, limit: event.currentTarget.value })}
          />
        </label>
        <button type="submit" data-testid="read">
          Read
        </button>
      </div>
    </form>
  );
}

function ReadResult({ topic, page }: { topic: string; page: MessagePage }) {
  const download = (): void => {
    const blob = new Blob([recordsAsJsonLines(topic, page.records)], { type: 'application/x-ndjson' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(topic);
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked later, not at once: the browser reads the blob after click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  return (
    <>
      <ScanSummary page={page} />
      <p>
        <button type="button" onClick={download} disabled={page.records.length === 0} data-testid="export">
          Export {page.records.length} shown as JSON lines
        </button>
      </p>
      {page.records.length === 0 ? (
        <p class="muted" data-testid="no-records">
          No records matched.
        </p>
      ) : (
        <table aria-label="Messages" class="records">
          <thead>
            <tr>
              <th scope="col" class="num">
                Partition
              </th>
              <th scope="col" class="num">
                Offset
              </th>
              <th scope="col">Timestamp (UTC)</th>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Headers</th>
            </tr>
          </thead>
          <tbody>
            {page.records.map((r) => (
              <tr key={`${r.partition}-${r.offset}`} data-testid={`record-${r.partition}-${r.offset}`}>
                <td class="num">{r.partition}</td>
                <td class="num">{r.offset}</td>
                <td>{new Date(r.timestamp).toISOString()}</td>
                <td>
                  <PartCell part={r.key} what="key" />
                </td>
                <td>
                  <PartCell part={r.value} what="value" />
                </td>
                <td>
                  <HeadersCell headers={r.headers} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
