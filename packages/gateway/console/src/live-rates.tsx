/**
 * The live produce and consume charts: the gateway's /ui/api/rates, polled
 * every two seconds, drawn as records per second. Says where the numbers
 * come from (the brokers' metrics, or the log-end offset fallback).
 */
import type { RatesAnswer } from '../../src/console/console-api-types.ts';
import { apiGet } from './api.ts';
import { ErrorNote } from './components.tsx';
import { formatRate } from './format.ts';
import { useHistory } from './history.ts';
import { TimeChart } from './time-chart.tsx';
import { usePoll } from './use-poll.ts';

export const ratesPollMs = 2000;

export function LiveRates() {
  const history = useHistory();
  const { data, error } = usePoll(
    (signal) => apiGet<RatesAnswer>('/ui/api/rates', { signal }),
    ratesPollMs,
    [],
    (rates) => {
      if (rates.total.messagesInPerSec === null && rates.total.messagesOutPerSec === null) return;
      history.push({ atMs: rates.atMs, values: [rates.total.messagesInPerSec, rates.total.messagesOutPerSec] });
    },
  );
  return (
    <section aria-labelledby="rates-title">
      <h2 id="rates-title">Produce and consume rates</h2>
      <ErrorNote error={error} />
      {data === null ? null : (
        <p>
          <span class={data.source === 'broker-metrics' ? 'source' : 'source fallback'} data-testid="rates-source">
            {data.source === 'broker-metrics' ? 'broker metrics' : 'derived from log-end offsets'}
          </span>{' '}
          <span class="muted">{data.sourceNote}</span>
        </p>
      )}
      {data === null ? null : (
        <ul class="stats" aria-label="Current rates">
          <li>
            Produce{' '}
            <span class="stat-value" data-testid="produce-rate">
              {formatRate(data.total.messagesInPerSec)}
            </span>
          </li>
          <li>
            Consume{' '}
            <span class="stat-value" data-testid="consume-rate">
              {formatRate(data.total.messagesOutPerSec)}
            </span>
          </li>
        </ul>
      )}
      {data !== null && data.errors.length > 0 ? <ErrorNote error={data.errors.join('; ')} /> : null}
      <TimeChart
        title="Cluster produce and consume rates"
        unit="records/s"
        series={[
          { label: 'produce', color: '#0b5cad' },
          { label: 'consume', color: '#c2410c' },
        ]}
        points={history.points}
        testId="rates-chart"
      />
    </section>
  );
}
