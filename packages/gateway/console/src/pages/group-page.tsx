/**
 * One consumer group: members and their assignments, lag per partition,
 * a chart of lag over time (sampled by this page each time it polls), and
 * the offset reset form.
 */
import type { GroupAnswer } from '../../../src/console/console-api-types.ts';
import { apiGet, apiPath } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { formatCount } from '../format.ts';
import { useHistory } from '../history.ts';
import { href } from '../router.ts';
import { TimeChart } from '../time-chart.tsx';
import { usePoll } from '../use-poll.ts';
import { ResetOffsetsForm } from './reset-offsets-form.tsx';

export const lagPollMs = 2000;

export function GroupPage(props: { groupId: string }) {
  const path = apiPath('/ui/api/groups', props.groupId);
  const history = useHistory();
  const { data, error, reload } = usePoll(
    (signal) => apiGet<GroupAnswer>(path, { signal }),
    lagPollMs,
    [path],
    (group) => history.push({ atMs: group.atMs, values: [group.totalLag] }),
  );
  return (
    <section aria-labelledby="page-title">
      <PageTitle title={`Consumer group ${props.groupId}`}>
        <a href={href('groups')}>All groups</a>
      </PageTitle>
      <ErrorNote error={error} />
      {data === null ? (
        <Loading what="the group" />
      ) : (
        <>
          <ul class="stats" aria-label="Group summary">
            <li>
              State{' '}
              <span class="stat-value" data-testid="group-state">
                {data.state}
              </span>
            </li>
            <li>
              <span class="stat-value" data-testid="member-count">
                {data.members.length}
              </span>{' '}
              members
            </li>
            <li>
              Total lag{' '}
              <span class="stat-value" data-testid="total-lag">
                {data.totalLag}
              </span>
            </li>
          </ul>
          <h2>Lag over time</h2>
          <TimeChart
            title={`Total lag of group ${data.groupId}`}
            unit="records"
            series={[{ label: 'total lag', color: '#b3261e' }]}
            points={history.points}
            testId="lag-chart"
          />
          <h2>Lag per partition</h2>
          <OffsetsTable group={data} />
          <h2>Members</h2>
          <MembersTable group={data} />
          <h2>Reset offsets</h2>
          <ResetOffsetsForm group={data} onReset={reload} />
        </>
      )}
    </section>
  );
}

function OffsetsTable({ group }: { group: GroupAnswer }) {
  if (group.offsets.length === 0) return <p>The group has no committed offsets and no assigned partitions.</p>;
  return (
    <table aria-label="Lag per partition" data-testid="lag-table">
      <thead>
        <tr>
          <th scope="col">Topic</th>
          <th scope="col" class="num">
            Partition
          </th>
          <th scope="col" class="num">
            Committed
          </th>
          <th scope="col" class="num">
            Log end
          </th>
          <th scope="col" class="num">
            Lag
          </th>
          <th scope="col">Member</th>
        </tr>
      </thead>
      <tbody>
        {group.offsets.map((o) => (
          <tr key={`${o.topic}/${o.partition}`} data-testid={`lag-${o.topic}-${o.partition}`}>
            <td>
              <a href={href('topics', o.topic)}>{o.topic}</a>
            </td>
            <td class="num">{o.partition}</td>
            <td class="num">{formatCount(o.committed)}</td>
            <td class="num">{formatCount(o.logEndOffset)}</td>
            <td class="num" data-testid="partition-lag">
              {formatCount(o.lag)}
            </td>
            <td>{o.memberId ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MembersTable({ group }: { group: GroupAnswer }) {
  if (group.members.length === 0) return <p data-testid="no-members">No active members.</p>;
  return (
    <table aria-label="Members">
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col">Client id</th>
          <th scope="col">Host</th>
          <th scope="col">Assigned partitions</th>
        </tr>
      </thead>
      <tbody>
        {group.members.map((m) => (
          <tr key={m.memberId}>
            <td>
              {m.memberId}
              {m.groupInstanceId === null ? '' : ` (static: ${m.groupInstanceId})`}
            </td>
            <td>{m.clientId}</td>
            <td>{m.host}</td>
            <td>{m.assignment.map((a) => `${a.topic} [${a.partitions.join(', ')}]`).join('; ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
