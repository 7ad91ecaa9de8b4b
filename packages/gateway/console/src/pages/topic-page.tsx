/** One topic: partitions with leader, replicas, ISR, offsets and size; its configs, editable. */
import { useState } from 'preact/hooks';
import type { TopicAnswer } from '../../../src/console/console-api-types.ts';
import { apiGet, apiPath, apiSend, errorText } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { formatBytes, formatCount } from '../format.ts';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';

export function TopicPage(props: { topic: string }) {
  const path = apiPath('/ui/api/topics', props.topic);
  const { data, error, reload } = usePoll((signal) => apiGet<TopicAnswer>(path, { signal }), 5000, [path]);
  return (
    <section aria-labelledby="page-title">
      <PageTitle title={`Topic ${props.topic}`}>
        <a href={href('topics')}>All topics</a>
        <a href={`${href('messages', props.topic)}`}>Browse messages</a>
      </PageTitle>
      <ErrorNote error={error} />
      {data === null ? <Loading what="the topic" /> : <TopicBody data={data} onChanged={reload} />}
    </section>
  );
}

function TopicBody({ data, onChanged }: { data: TopicAnswer; onChanged: () => void }) {
  const total = data.partitions.reduce(
    (sum, p) => sum + Math.max(0, (p.latestOffset ?? 0) - (p.earliestOffset ?? 0)),
    0,
  );
  return (
    <>
      <p class="muted">
        Topic id {data.topicId}
        {data.internal ? ', internal' : ''}; {formatCount(total)} records between the partitions' earliest and latest
        offsets.
      </p>
      <h2>Partitions</h2>
      <table aria-label="Partitions" data-testid="partitions-table">
        <thead>
          <tr>
            <th scope="col" class="num">
              Partition
            </th>
            <th scope="col">Leader</th>
            <th scope="col">Replicas</th>
            <th scope="col">ISR</th>
            <th scope="col" class="num">
              Earliest
            </th>
            <th scope="col" class="num">
              Latest
            </th>
            <th scope="col" class="num">
              Size
            </th>
          </tr>
        </thead>
        <tbody>
          {data.partitions.map((p) => (
            <tr key={p.partition} data-testid={`partition-${p.partition}`}>
              <td class="num">{p.partition}</td>
              <td class={p.leader < 0 ? 'bad' : ''}>
                {p.leader < 0 ? 'none (offline)' : `${p.leader} (epoch ${p.leaderEpoch})`}
              </td>
              <td>{p.replicas.join(', ')}</td>
              <td class={p.isr.length < p.replicas.length ? 'warn' : ''}>{p.isr.join(', ')}</td>
              <td class="num">{formatCount(p.earliestOffset)}</td>
              <td class="num">{formatCount(p.latestOffset)}</td>
              <td class="num">{formatBytes(p.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Configs</h2>
      <ConfigForm topic={data.name} onChanged={onChanged} />
      <table aria-label="Topic configs">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {data.configs.map((c) => (
            <tr key={c.name} data-testid={`config-${c.name}`}>
              <td>{c.name}</td>
              <td>{c.sensitive ? '(sensitive)' : (c.value ?? '—')}</td>
              <td class={c.isDefault ? 'muted' : ''}>{c.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ConfigForm(props: { topic: string; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const path = `${apiPath('/ui/api/topics', props.topic)}/configs`;
  const send = async (body: unknown, done: string): Promise<void> => {
    try {
      await apiSend('POST', path, body);
      setStatus({ ok: true, text: done });
      props.onChanged();
    } catch (error) {
      setStatus({ ok: false, text: errorText(error) });
    }
  };
  return (
    <form
      class="panel"
      aria-label="Change a topic config"
      onSubmit={(e) => {
        e.preventDefault();
        void send({ set: { [name.trim()]: value } }, `${name.trim()} set to ${value}.`);
      }}
    >
      <label>
        Config name
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="retention.ms" />
      </label>
      <label>
        Value
        <input value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit">Set</button>{' '}
      <button
        type="button"
        class="secondary"
        disabled={name.trim() === ''}
        onClick={() => void send({ delete: [name.trim()] }, `${name.trim()} back to its default.`)}
      >
        Reset to default
      </button>
      {status === null ? null : (
        <p role="status" class={status.ok ? 'ok' : 'error'}>
          {status.text}
        </p>
      )}
    </form>
  );
}
