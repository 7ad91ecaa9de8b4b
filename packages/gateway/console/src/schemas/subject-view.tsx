/**
 * One subject: its versions and compatibility level, any version's schema,
 * a line diff between two versions, and a compatibility check of a pasted
 * schema against a version (the registry's verdict and its reasons).
 */
import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import type {
  CompatibilityAnswer,
  SchemaDiffAnswer,
  SchemaVersionAnswer,
  SubjectAnswer,
} from '../../../src/console/message-schema-api-types.ts';
import { ApiError, apiGet, apiPath, apiSend, errorText } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { DiffTable } from './diff-table.tsx';

export function SubjectView({ subject }: { subject: string }) {
  const base = apiPath('/ui/api/schemas/subjects', subject);
  const { data, error } = usePoll((signal) => apiGet<SubjectAnswer>(base, { signal }), null, [base]);
  return (
    <section aria-labelledby="page-title">
      <p>
        <a href={href('schemas')}>All subjects</a>
      </p>
      <PageTitle title={subject}>
        {data === null ? null : (
          <p class="muted">
            {data.latest.schemaType} · {data.versions.length} versions · compatibility{' '}
            <span data-testid="compatibility-level">{data.compatibilityLevel ?? 'unknown'}</span>
          </p>
        )}
      </PageTitle>
      <ErrorNote error={error} />
      {data === null ? (
        <Loading what="the subject" />
      ) : (
        <>
          <VersionViewer base={base} versions={data.versions} latest={data.latest} />
          <VersionDiff base={base} versions={data.versions} />
          <CompatibilityCheck base={base} versions={data.versions} schemaType={data.latest.schemaType} />
        </>
      )}
    </section>
  );
}

function VersionSelect(props: { label: string; versions: number[]; value: string; onChange: (v: string) => void }) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        {props.versions.map((v) => (
          <option key={v} value={String(v)}>
            Version {v}
          </option>
        ))}
      </select>
    </label>
  );
}

function VersionViewer({ base, versions, latest }: { base: string; versions: number[]; latest: SchemaVersionAnswer }) {
  const [version, setVersion] = useState(String(latest.version));
  const { data, error } = usePoll(
    (signal) =>
      version === String(latest.version)
        ? Promise.resolve(latest)
        : apiGet<SchemaVersionAnswer>(`${base}/versions/${version}`, { signal }),
    null,
    [version],
  );
  return (
    <>
      <h2>Schema</h2>
      <VersionSelect label="Show" versions={versions} value={version} onChange={setVersion} />
      <ErrorNote error={error} />
      {data === null ? null : (
        <>
          <p class="muted">
            Version {data.version}, schema id {data.id}
            {data.references.length > 0 ? `, ${data.references.length} references` : ''}
          </p>
          <pre class="schema-text" title={`Schema of version ${data.version}`}>
            {data.pretty}
          </pre>
        </>
      )}
    </>
  );
}

function VersionDiff({ base, versions }: { base: string; versions: number[] }) {
  const newest = versions[versions.length - 1] ?? 1;
  const [from, setFrom] = useState(String(versions[versions.length - 2] ?? newest));
  const [to, setTo] = useState(String(newest));
  const [diff, setDiff] = useState<SchemaDiffAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const compare = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setError(null);
    apiGet<SchemaDiffAnswer>(`${base}/diff?from=${from}&to=${to}`).then(setDiff, (e: unknown) =>
      setError(errorText(e)),
    );
  };
  return (
    <>
      <h2>Compare versions</h2>
      <form class="panel" onSubmit={compare} aria-label="Compare versions">
        <VersionSelect label="From" versions={versions} value={from} onChange={setFrom} />
        <VersionSelect label="To" versions={versions} value={to} onChange={setTo} />
        <button type="submit" data-testid="compare">
          Compare
        </button>
      </form>
      <ErrorNote error={error} />
      {diff === null ? null : <DiffTable diff={diff} />}
    </>
  );
}

function CompatibilityCheck(props: { base: string; versions: number[]; schemaType: string }) {
  const [schema, setSchema] = useState('');
  const [schemaType, setSchemaType] = useState(props.schemaType);
  const [against, setAgainst] = useState('latest');
  const [verdict, setVerdict] = useState<CompatibilityAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const check = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setError(null);
    setVerdict(null);
    apiSend<CompatibilityAnswer>('POST', `${props.base}/compatibility`, { schema, schemaType, version: against }).then(
      setVerdict,
      // The registry's refusal (an unparsable schema: 42201) is the answer to show, with its code.
      (e: unknown) =>
        setError(e instanceof ApiError && e.errorCode !== null ? `${e.message} (${e.errorCode})` : errorText(e)),
    );
  };
  return (
    <>
      <h2>Check compatibility</h2>
      <form class="panel" onSubmit={check} aria-label="Check compatibility">
        <label class="schema-input-label">
          Schema to check
          <textarea
            class="schema-input"
            required
            value={schema}
            data-testid="compat-schema"
            onInput={(event) => setSchema(event.currentTarget.value)}
          />
        </label>
        <div>
          <label>
            Type
            <select value={schemaType} onChange={(event) => setSchemaType(event.currentTarget.value)}>
              <option value="AVRO">Avro</option>
              <option value="JSON">JSON Schema</option>
              <option value="PROTOBUF">Protobuf</option>
            </select>
          </label>
          <label>
            Against
            <select value={against} onChange={(event) => setAgainst(event.currentTarget.value)}>
              <option value="latest">The latest version</option>
              {props.versions.map((v) => (
                <option key={v} value={String(v)}>
                  Version {v}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" data-testid="check-compatibility">
            Check
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {verdict === null ? null : (
        <div class="panel" role="status" data-testid="compat-result">
          <p class={`verdict ${verdict.is_compatible ? 'ok' : 'bad'}`}>
            {verdict.is_compatible ? 'Compatible' : 'Not compatible'} with{' '}
            {verdict.version === 'latest' ? 'the latest version' : `version ${verdict.version}`} under{' '}
            {verdict.compatibilityLevel ?? 'the registry’s level'}
          </p>
          {verdict.messages.length === 0 ? null : (
            <ul>
              {verdict.messages.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
