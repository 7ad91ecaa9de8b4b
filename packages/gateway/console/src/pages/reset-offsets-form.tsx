/**
 * Resets a group's committed offsets, as kafka-consumer-groups
 * --reset-offsets: to the earliest or latest offset, to an offset, or to a
 * time; "Preview" asks the gateway for the plan without committing it. The
 * gateway refuses while the group has active members, and the form says so
 * before anyone tries.
 */
import { useState } from 'preact/hooks';
import type {
  GroupAnswer,
  ResetOffsetsAnswer,
  ResetOffsetsBody,
  ResetTarget,
} from '../../../src/console/console-api-types.ts';
import { apiPath, apiSend, errorText } from '../api.ts';
import { formatCount } from '../format.ts';

export function ResetOffsetsForm(props: { group: GroupAnswer; onReset: () => void }) {
  const topics = [...new Set(props.group.offsets.map((o) => o.topic))];
  const [topic, setTopic] = useState('');
  const [to, setTo] = useState<ResetTarget>('earliest');
  const [offset, setOffset] = useState('0');
  const [time, setTime] = useState('');
  const [result, setResult] = useState<ResetOffsetsAnswer | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const active = props.group.members.length > 0;

  const send = async (dryRun: boolean): Promise<void> => {
    const body: ResetOffsetsBody = {
      to,
      dryRun,
      ...(topic === '' ? {} : { topic }),
      ...(to === 'offset' ? { offset: Number(offset) } : {}),
      ...(to === 'timestamp' ? { timestampMs: new Date(time).getTime() } : {}),
    };
    try {
      const answer = await apiSend<ResetOffsetsAnswer>(
        'POST',
        `${apiPath('/ui/api/groups', props.group.groupId)}/reset-offsets`,
        body,
      );
      setResult(answer);
      setStatus({ ok: true, text: dryRun ? 'Preview: nothing was committed.' : 'Offsets reset.' });
      if (!dryRun) props.onReset();
    } catch (error) {
      setResult(null);
      setStatus({ ok: false, text: errorText(error) });
    }
  };

  return (
    <form
      class="panel"
      aria-label="Reset offsets"
      onSubmit={(e) => {
        e.preventDefault();
        void send(false);
      }}
    >
      {active ? (
        <p class="warn" data-testid="reset-blocked">
          The group has active members: stop its consumers before resetting its offsets.
        </p>
      ) : null}
      <label>
        Topic
        <select name="topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
          <option value="">All topics with committed offsets</option>
          {topics.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reset to
        <select name="to" value={to} onChange={(e) => setTo(e.currentTarget.value as ResetTarget)}>
          <option value="earliest">earliest offset</option>
          <option value="latest">latest offset</option>
          <option value="offset">an offset</option>
          <option value="timestamp">a time</option>
        </select>
      </label>
      {to === 'offset' ? (
        <label>
          Offset
          <input
            name="offset"
            type="number"
            min={0}
            required
            value={offset}
            onInput={(e) => setOffset(e.currentTarget.value)}
          />
        </label>
      ) : null}
      {to === 'timestamp' ? (
        <label>
          Time (your local time)
          <input
            name="time"
            type="datetime-local"
            step={1}
            required
            value={time}
            onInput={(e) => setTime(e.currentTarget.value)}
          />
        </label>
      ) : null}
      <div>
        <button type="button" class="secondary" onClick={() => void send(true)}>
          Preview
        </button>{' '}
        <button type="submit" disabled={active}>
          Reset offsets
        </button>
      </div>
      {status === null ? null : (
        <p role="status" class={status.ok ? 'ok' : 'error'} data-testid="reset-status">
          {status.text}
        </p>
      )}
      {result === null ? null : (
        <table aria-label="New offsets">
          <thead>
            <tr>
              <th scope="col">Topic</th>
              <th scope="col" class="num">
                Partition
              </th>
              <th scope="col" class="num">
                Before
              </th>
              <th scope="col" class="num">
                After
              </th>
            </tr>
          </thead>
          <tbody>
            {result.offsets.map((o) => (
              <tr key={`${o.topic}/${o.partition}`}>
                <td>{o.topic}</td>
                <td class="num">{o.partition}</td>
                <td class="num">{formatCount(o.previous)}</td>
                <td class="num">{formatCount(o.next)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}
