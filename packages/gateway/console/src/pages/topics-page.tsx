/** Topics: every topic with partitions, replication, size and throughput, and a form to create one. */
import { useState } from 'preact/hooks';
import type { TopicsAnswer } from '../../../src/console/console-api-types.ts';
import { apiGet, apiSend, errorText } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { formatBytes, formatRate } from '../format.ts';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';

export function TopicsPage() {
  const [showInternal, setShowInternal] = useState(false);
  const { data, error, reload } = usePoll((signal) => apiGet<TopicsAnswer>('/ui/api/topics', { signal }), 5000, []);
  const topics = data?.topics.filter((t) => showInternal || !t.internal) ?? [];
  return (
    <section aria-labelledby="page-title">
      <PageTitle title="Topics" />
      <CreateTopicForm onCreated={reload} />
      <ErrorNote error={error} />
      <label class="inline">
        <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.currentTarget.checked)} />
        Show internal topics
      </label>
      {data === null ? (
        <Loading what="topics" />
      ) : (
        <table aria-label="Topics" data-testid="topics-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" class="num">
                Partitions
              </th>
              <th scope="col" class="num">
                Replication
              </th>
              <th scope="col" class="num">
                Under-replicated
              </th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col" class="num">
                In
              </th>
              <th scope="col" class="num">
                Out
              </th>
            </tr>
          </thead>
          <tbody>
            {topics.map((t) => (
              <tr key={t.name} data-testid={`topic-row-${t.name}`}>
                <td>
                  <a href={href('topics', t.name)}>{t.name}</a>
                  {t.internal ? <span class="muted"> (internal)</span> : null}
                </td>
                <td class="num">{t.partitions}</td>
                <td class="num">{t.replicationFactor}</td>
                <td class={`num ${t.offline > 0 ? 'bad' : t.underReplicated > 0 ? 'warn' : ''}`}>
                  {t.offline > 0 ? `${t.offline} offline` : t.underReplicated}
                </td>
                <td class="num">{formatBytes(t.sizeBytes)}</td>
                <td class="num">{formatRate(t.messagesInPerSec)}</td>
                <td class="num">{formatRate(t.messagesOutPerSec)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data === null ? null : (
        <p class="muted">
          Throughput{' '}
          {data.ratesSource === 'broker-metrics'
            ? "from the brokers' metrics"
            : 'derived from log-end offsets (no broker metrics URL known)'}
          ; size is each partition's leader replica on disk.
        </p>
      )}
    </section>
  );
}

function CreateTopicForm(props: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [replication, setReplication] = useState('');
  const [configs, setConfigs] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    try {
      const parsedConfigs = parseConfigLines(configs);
      await apiSend('POST', '/ui/api/topics', {
        name: name.trim(),
        partitions: Number(partitions),
        ...(replication.trim() === '' ? {} : { replicationFactor: Number(replication) }),
        ...(Object.keys(parsedConfigs).length === 0 ? {} : { configs: parsedConfigs }),
      });
      setStatus({ ok: true, text: `Topic ${name.trim()} created.` });
      setName('');
      props.onCreated();
    } catch (error) {
      setStatus({ ok: false, text: errorText(error) });
    }
  };

  return (
    <details class="panel">
      <summary>Create a topic</summary>
      <form onSubmit={(e) => void submit(e)} aria-label="Create a topic">
        <label>
          Name
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Partitions
          <input
            name="partitions"
            type="number"
            min={1}
            required
            value={partitions}
            onInput={(e) => setPartitions(e.currentTarget.value)}
          />
        </label>
        <label>
          Replication factor
          <input
            name="replication"
            type="number"
            min={1}
            placeholder="cluster default"
            value={replication}
            onInput={(e) => setReplication(e.currentTarget.value)}
          />
        </label>
        <label>
          Configs (one name=value a line)
          <textarea
            name="configs"
            rows={2}
            cols={36}
            value={configs}
            onInput={(e) => setConfigs(e.currentTarget.value)}
          />
        </label>
        <div>
          <button type="submit">Create</button>
        </div>
        {status === null ? null : (
          <p role="status" class={status.ok ? 'ok' : 'error'}>
            {status.text}
          </p>
        )}
      </form>
    </details>
  );
}

/** `name=value` lines into a config map; throws on a line without `=`. */
export function parseConfigLines(text: string): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`"${line}" is not name=value`);
    configs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return configs;
}
