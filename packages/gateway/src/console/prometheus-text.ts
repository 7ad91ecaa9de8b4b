/**
 * A reader of Prometheus' text exposition format (version 0.0.4), enough to
 * take counters from a broker's /metrics: `name{label="value",...} value
 * [timestamp]` lines; `#` lines (HELP, TYPE) and blank lines are skipped;
 * label values may hold `\\`, `\"` and `\n` escapes. A line that does not
 * parse is skipped rather than failing the whole scrape.
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePrometheusText(text: string, wanted?: ReadonlySet<string>): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = namePattern.exec(line)?.[0];
    if (name === undefined) continue;
    if (wanted !== undefined && !wanted.has(name)) continue;
    const parsed = parseRest(line.slice(name.length));
    if (parsed !== null) samples.push({ name, ...parsed });
  }
  return samples;
}

function parseRest(rest: string): { labels: Record<string, string>; value: number } | null {
  const labels: Record<string, string> = {};
  let at = 0;
  if (rest[at] === '{') {
    at += 1;
    for (;;) {
      while (rest[at] === ' ' || rest[at] === ',') at += 1;
      if (rest[at] === '}') {
        at += 1;
        break;
      }
      const labelName = labelNamePattern.exec(rest.slice(at))?.[0];
      if (labelName === undefined) return null;
      at += labelName.length;
      if (rest[at] !== '=' || rest[at + 1] !== '"') return null;
      at += 2;
      let value = '';
      for (;;) {
        const c = rest[at];
        if (c === undefined) return null;
        at += 1;
        if (c === '"') break;
        if (c === '\\') {
          const escaped = rest[at];
          at += 1;
          value += escaped === 'n' ? '\n' : (escaped ?? '');
        } else {
          value += c;
        }
      }
      labels[labelName] = value;
    }
  }
  const fields = rest.slice(at).trim().split(/\s+/);
  const valueText = fields[0];
  if (valueText === undefined || valueText === '') return null;
  const value = parseSampleValue(valueText);
  return value === null ? null : { labels, value };
}

function parseSampleValue(text: string): number | null {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}
