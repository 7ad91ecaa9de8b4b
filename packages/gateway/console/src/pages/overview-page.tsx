/** The cluster overview: brokers, the controllers' quorum, partition health and live rates. */
import type { OverviewAnswer, QuorumAnswer } from '../../../src/console/console-api-types.ts';
import { apiGet } from '../api.ts';
import { ErrorNote, Loading, PageTitle } from '../components.tsx';
import { formatAgo, formatBytes, formatCount } from '../format.ts';
import { LiveRates } from '../live-rates.tsx';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';

export function OverviewPage() {
  const { data, error } = usePoll((signal) => apiGet<OverviewAnswer>('/ui/api/overview', { signal }), 5000, []);
  return (
    <section aria-labelledby="page-title">
      <PageTitle title="Cluster overview">
        {data === null ? null : <p class="muted">Cluster id {data.clusterId ?? 'unknown'}</p>}
      </PageTitle>
      <ErrorNote error={error} />
      {data === null ? <Loading what="the cluster" /> : <OverviewBody data={data} />}
      <LiveRates />
    </section>
  );
}

function OverviewBody({ data }: { data: OverviewAnswer }) {
  const { partitions } = data;
  return (
    <>
      <ul class="stats" aria-label="Cluster summary">
        <li>
          <span class="stat-value" data-testid="broker-count">
            {data.brokers.length}
          </span>{' '}
          brokers
        </li>
        <li>
          <span class="stat-value">{data.topics}</span> topics
        </li>
        <li>
          <span class="stat-value">{partitions.total}</span> partitions
        </li>
        <li class={partitions.underReplicated > 0 ? 'warn' : ''}>
          <span class="stat-value" data-testid="under-replicated">
            {partitions.underReplicated}
          </span>{' '}
          under-replicated
        </li>
        <li class={partitions.offline > 0 ? 'bad' : ''}>
          <span class="stat-value" data-testid="offline">
            {partitions.offline}
          </span>{' '}
          offline
        </li>
      </ul>

      <h2>Brokers</h2>
      <table aria-label="Brokers">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Address</th>
            <th scope="col">Rack</th>
            <th scope="col" class="num">
              Leads
            </th>
            <th scope="col" class="num">
              Replicas
            </th>
            <th scope="col" class="num">
              Log size
            </th>
          </tr>
        </thead>
        <tbody>
          {data.brokers.map((b) => (
            <tr key={b.nodeId} data-testid={`broker-${b.nodeId}`}>
              <td>
                {b.nodeId}
                {b.nodeId === data.controllerId ? ' (controller)' : ''}
              </td>
              <td>
                {b.host}:{b.port}
              </td>
              <td>{b.rack ?? '—'}</td>
              <td class="num">{formatCount(b.leaderPartitions)}</td>
              <td class="num">{formatCount(b.replicaPartitions)}</td>
              <td class="num">{formatBytes(b.logDirBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Controller quorum</h2>
      {'error' in data.quorum ? <ErrorNote error={data.quorum.error} /> : <QuorumTable quorum={data.quorum} />}

      <h2>Partitions needing attention</h2>
      {data.problemPartitions.length === 0 ? (
        <p data-testid="no-problem-partitions">Every partition has a leader and a full ISR.</p>
      ) : (
        <table aria-label="Partitions offline or under-replicated">
          <thead>
            <tr>
              <th scope="col">Topic</th>
              <th scope="col" class="num">
                Partition
              </th>
              <th scope="col">Problem</th>
              <th scope="col">Leader</th>
              <th scope="col">Replicas</th>
              <th scope="col">ISR</th>
            </tr>
          </thead>
          <tbody>
            {data.problemPartitions.map((p) => (
              <tr key={`${p.topic}/${p.partition}`}>
                <td>
                  <a href={href('topics', p.topic)}>{p.topic}</a>
                </td>
                <td class="num">{p.partition}</td>
                <td class={p.problem === 'offline' ? 'bad' : 'warn'}>{p.problem}</td>
                <td>{p.leader < 0 ? 'none' : p.leader}</td>
                <td>{p.replicas.join(', ')}</td>
                <td>{p.isr.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.problemPartitionsTruncated ? <p class="muted">Only the first ones are listed.</p> : null}
    </>
  );
}

function QuorumTable({ quorum }: { quorum: QuorumAnswer }) {
  return (
    <>
      <p>
        Active controller <strong data-testid="quorum-leader">{quorum.leaderId}</strong>, epoch {quorum.leaderEpoch},
        metadata high watermark {formatCount(quorum.highWatermark)}.
      </p>
      <table aria-label="Controller quorum replicas">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Role</th>
            <th scope="col" class="num">
              Log end offset
            </th>
            <th scope="col" class="num">
              Lag
            </th>
            <th scope="col">Last caught up</th>
          </tr>
        </thead>
        <tbody>
          {quorum.replicas.map((r) => (
            <tr key={`${r.status}-${r.nodeId}`}>
              <td>{r.nodeId}</td>
              <td>{r.status === 'observer' ? 'observer (broker)' : `voter, ${r.status}`}</td>
              <td class="num">{formatCount(r.logEndOffset)}</td>
              <td class="num">{formatCount(r.lag)}</td>
              <td>{formatAgo(r.lastCaughtUpAgoMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
