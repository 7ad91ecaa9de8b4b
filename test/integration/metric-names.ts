/**
 * Metric names on both sides of the observability kit: those a process
 * exports (its /metrics text) and those PromQL in the alert rules and the
 * Grafana dashboard asks for. A test compares the two so a renamed metric
 * cannot leave a silent panel or an alert that never fires.
 */

/** Every series name a /metrics text can produce, from its `# TYPE` lines (histogram and summary parts included). */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m?.[1] === undefined) continue;
    const [name, type] = [m[1], m[2]];
    names.add(name);
    if (type === 'histogram') for (const part of ['_bucket', '_sum', '_count']) names.add(`${name}${part}`);
    if (type === 'summary') for (const part of ['_sum', '_count']) names.add(`${name}${part}`);
  }
  return names;
}

const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless']);
const moreKeywords = new Set(['bool', 'offset', 'inf', 'nan', 'atan2']);

/**
 * The metric names a PromQL expression selects: identifiers that are not
 * functions, keywords, label names, strings or durations. Enough PromQL for
 * the rules and dashboard we ship, not a full parser.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[\w.:$]+/g)) {
    const word = m[0];
    if (!/^[a-zA-Z_:]/.test(word)) continue;
    const lower = word.toLowerCase();
    if (keywords.has(lower) || moreKeywords.has(lower)) continue;
    const next = stripped.slice(m.index + word.length).trimStart();
    if (next.startsWith('(')) continue;
    names.add(word);
  }
  return [...names];
}

interface DashboardTarget {
  expr?: string;
}

interface DashboardPanel {
  type: string;
  title: string;
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

interface DashboardVariable {
  name: string;
  type: string;
  definition?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

/** Each panel's PromQL, rows flattened, with the panel title. */
export function dashboardQueries(dashboard: Dashboard): { title: string; expr: string }[] {
  const queries: { title: string; expr: string }[] = [];
  const visit = (panels: readonly DashboardPanel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined) queries.push({ title: panel.title, expr: target.expr });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** Metric names the dashboard's query variables read (`label_values(metric{...}, label)`). */
export function dashboardVariableMetrics(dashboard: Dashboard): string[] {
  const names: string[] = [];
  for (const v of dashboard.templating.list) {
    const m = v.type === 'query' ? /label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(v.definition ?? '') : null;
    if (m?.[1] !== undefined) names.push(m[1]);
  }
  return names;
}

/**
 * Replaces the dashboard's Grafana variables with values Prometheus accepts:
 * all topics, groups and APIs, and a rate window long enough to still hold
 * what a test did a minute ago.
 */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '2m')
    .replaceAll('$controller_job', 'runnel-controller')
    .replaceAll('$broker_job', 'runnel-broker')
    .replace(/\$(topic|group|request)\b/g, '.*');
}
