/** Consumer groups: state, members and total lag of each. */
import type { GroupsAnswer } from '../../../src/console/console-api-types.ts';
import { apiGet } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { formatCount } from '../format.ts';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';

export function GroupsPage() {
  const { data, error } = usePoll((signal) => apiGet<GroupsAnswer>('/ui/api/groups', { signal }), 5000, []);
  return (
    <section aria-labelledby="page-title">
      <PageTitle title="Consumer groups" />
      <ErrorNote error={error} />
      {data !== null && data.failures.length > 0 ? (
        <ErrorNote error={`Not listed: ${data.failures.join('; ')}`} />
      ) : null}
      {data === null ? (
        <Loading what="groups" />
      ) : data.groups.length === 0 ? (
        <p>No consumer groups yet.</p>
      ) : (
        <table aria-label="Consumer groups" data-testid="groups-table">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">State</th>
              <th scope="col">Protocol type</th>
              <th scope="col" class="num">
                Members
              </th>
              <th scope="col" class="num">
                Total lag
              </th>
            </tr>
          </thead>
          <tbody>
            {data.groups.map((g) => (
              <tr key={g.groupId} data-testid={`group-row-${g.groupId}`}>
                <td>
                  <a href={href('groups', g.groupId)}>{g.groupId}</a>
                </td>
                <td>{g.state}</td>
                <td>{g.protocolType === '' ? '—' : g.protocolType}</td>
                <td class="num">{g.members}</td>
                <td class="num">{formatCount(g.totalLag)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
