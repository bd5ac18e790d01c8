import { readFile } from 'node:fs/promises';
import { test } from 'tap';
import { call, startRuntime } from '../helpers/runtime.js';
import { scrape } from '../helpers/scrape.js';
import { uniquePhone } from '../helpers/api-spec.js';

const DASHBOARD = new URL('../../../ops/grafana/service-booking.json', import.meta.url);

/** Labels Prometheus attaches when it scrapes, not the service. */
const TARGET_LABELS: ReadonlySet<string> = new Set(['instance', 'job']);

interface Target {
  readonly expr: string;
}
interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly definition?: string }[] };
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);

/** The metric selectors of a PromQL expression: each metric name with the label names it matches on. */
export function selectors(expr: string): { metric: string; labels: string[] }[] {
  const found: { metric: string; labels: string[] }[] = [];
  // Grouping lists name labels, not metrics; ranges and strings name neither.
  const bare = expr
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const match of bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const [, name, matchers, call] = match as unknown as [string, string, string | undefined, string | undefined];
    if (call || PROMQL_WORDS.has(name.toLowerCase()) || /^\d/.test(name)) continue;
    if (/^\$/.test(name)) continue;
    const labels = [...(matchers ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]!);
    found.push({ metric: name, labels });
  }
  return found;
}

test('the Grafana dashboard names only metrics and labels GET /metrics exposes', async (t) => {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
  t.equal(dashboard.uid, 'service-booking');
  const runtime = await startRuntime(t, { env: { MAX_EVENT_LOOP_DELAY_MS: '1000' } });
  // One request, so that the labelled HTTP series have samples to show their labels.
  t.equal((await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: uniquePhone(), password: 'person-password' } })).status, 201);
  const exposed = await scrape(runtime.app);

  const queries = [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr }))),
    ...dashboard.templating.list.flatMap((v) => (v.definition ? [{ where: `variable ${v.name}`, expr: v.definition.replace(/^label_values\(([^,]+),.*\)$/, '$1') }] : [])),
  ];
  const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
  t.ok(graphs.every((panel) => (panel.targets ?? []).length > 0), 'every panel queries something');
  t.ok(queries.length >= 20, `${queries.length} queries checked`);

  const named = new Set<string>();
  for (const { where, expr } of queries) {
    const found = selectors(expr);
    t.ok(found.length > 0, `${where}: ${expr} names a metric`);
    for (const { metric, labels } of found) {
      named.add(metric);
      t.ok(exposed.names.has(metric), `${where}: ${metric} is exposed`);
      const samples = exposed.samples.filter((s) => s.name === metric);
      for (const label of labels.filter((l) => !TARGET_LABELS.has(l))) {
        t.ok(samples.length === 0 || samples.some((s) => label in s.labels), `${where}: ${metric} has the label ${label}`);
      }
    }
  }
  for (const wanted of ['http_request_duration_seconds_bucket', 'http_server_errors_total', 'projection_lag_events', 'projection_lag_seconds', 'event_store_appends_total', 'event_store_append_duration_seconds_bucket', 'jobs', 'webhook_deliveries_total', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes']) {
    t.ok(named.has(wanted), `the dashboard shows ${wanted}`);
  }
});

test('the dashboard check reads PromQL as it should', async (t) => {
  t.same(selectors('histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))'), [
    { metric: 'http_request_duration_seconds_bucket', labels: ['instance'] },
  ]);
  t.same(selectors('count(projection_running{a="b"} == 0) or vector(0)'), [{ metric: 'projection_running', labels: ['a'] }]);
  t.same(selectors('sum(jobs{state="failed"})'), [{ metric: 'jobs', labels: ['state'] }]);
});
