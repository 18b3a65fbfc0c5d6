// infra/observability is checked against the code: the Prometheus config scrapes every service,
// the alert rules and the Grafana dashboard are well formed, every alert has its runbook entry in
// docs/operations.md, and every metric and label they query is one the services export.
//
// What the services export comes from real registries where building them costs no I/O (the
// server base every service shares, the relay's metrics, the queue depth gauge, the usage
// recorder), and from the metric declarations in the source for the rest (the projection
// workers register theirs once connected to Redis). The two are checked against each other.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Queue } from 'bullmq';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { serviceNames, servicePorts, settings } from '../shared/config/index.js';
import type { UsageBatch } from '../shared/events/usage-events.js';
import { createServer } from '../shared/http/server.js';
import { projectRoot } from '../shared/paths.js';
import type { Pool } from '../shared/stores/postgres.js';
import { registerQueueDepthGauge } from '../shared/stores/queues.js';
import { QueueUsageRecorder } from '../services/catalog-read/usage/queue-recorder.js';
import { relayMetrics } from '../services/outbox-relay/relay.js';
import { silentLogger } from './support/logger.js';

const observability = join(projectRoot, 'infra', 'observability');
const read = (path: string) => readFile(join(projectRoot, path), 'utf8');
const readYaml = async <T>(path: string) => parse(await read(path)) as T;

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';
interface Metric {
  readonly type: MetricType;
  readonly labels: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// What the services export
// ---------------------------------------------------------------------------------------------

/** The registry of a service base with every metric that registers without a store. */
async function registryMetrics(): Promise<Map<string, Metric>> {
  const app = await createServer({
    service: 'probe',
    description: 'metrics probe',
    logger: silentLogger,
    bodyLimitBytes: 1024 * 1024,
    readinessTimeoutMs: 1000,
  });
  const pool = { query: async () => ({ rows: [{ n: '0' }] }) } as unknown as Pool;
  relayMetrics(app.metrics, pool);
  registerQueueDepthGauge(app.metrics, {});
  const queue = { add: async () => ({}) } as unknown as Queue<UsageBatch>;
  const recorder = new QueueUsageRecorder({ queue, registry: app.metrics });
  try {
    const res = await app.inject('/metrics');
    const types = new Map(
      [...res.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] as MetricType]),
    );
    const metrics = new Map<string, Metric>();
    for (const metric of app.metrics.getMetricsAsArray()) {
      const { name, labelNames = [] } = metric as unknown as {
        name: string;
        labelNames?: string[];
      };
      const type = types.get(name);
      if (type === undefined) throw new Error(`${name} is registered but not on /metrics`);
      metrics.set(name, { type, labels: new Set([...labelNames, 'service']) });
    }
    return metrics;
  } finally {
    await recorder.close();
    await app.close();
  }
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(projectRoot, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => relative(projectRoot, join(e.parentPath, e.name)));
}

/** `new Counter({ name: '…', …, labelNames: […] })` and its kin, as declared in shared/ and services/. */
async function declaredMetrics(): Promise<Map<string, Metric>> {
  const metrics = new Map<string, Metric>();
  const files = [...(await sourceFiles('shared')), ...(await sourceFiles('services'))];
  for (const file of files) {
    const text = await read(file);
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([^']+)'/g)) {
      const declaration = text.slice(m.index).split('registers:')[0] ?? '';
      const labelList = /labelNames: \[([^\]]*)\]/.exec(declaration)?.[1] ?? '';
      const labels = [...labelList.matchAll(/'([^']+)'/g)].map((l) => l[1] ?? '');
      metrics.set(m[2] ?? '', {
        type: (m[1] ?? '').toLowerCase() as MetricType,
        labels: new Set([...labels, 'service']),
      });
    }
  }
  return metrics;
}

/** Series names a metric shows up as, each with the labels it may carry. */
function seriesOf(name: string, metric: Metric): [string, Set<string>][] {
  const base = new Set([...metric.labels, 'job', 'instance']);
  switch (metric.type) {
    case 'histogram':
      return [
        [`${name}_bucket`, new Set([...base, 'le'])],
        [`${name}_sum`, base],
        [`${name}_count`, base],
      ];
    case 'summary':
      return [
        [name, new Set([...base, 'quantile'])],
        [`${name}_sum`, base],
        [`${name}_count`, base],
      ];
    default:
      return [[name, base]];
  }
}

const registry = await registryMetrics();
const declared = await declaredMetrics();
/** Every series a query may use, with its labels; `up` is Prometheus' own, per target. */
const exported = new Map<string, Set<string>>([['up', new Set(['job', 'instance'])]]);
for (const [name, metric] of [...declared, ...registry]) {
  for (const [series, labels] of seriesOf(name, metric)) exported.set(series, labels);
}

// ---------------------------------------------------------------------------------------------
// What the queries use
// ---------------------------------------------------------------------------------------------

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names and label names a PromQL expression refers to (Grafana variables allowed). */
function promqlRefs(expr: string): { metrics: string[]; labels: string[] } {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  let text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  text = text.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^{}]*)\}/g, (_, name, matchers) => {
    for (const m of (matchers as string).matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
      labels.add(m[1] ?? '');
    }
    if (typeof name === 'string') metrics.add(name);
    return ' ';
  });
  text = text.replace(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g,
    (_, list: string) => {
      for (const label of list.split(',').map((l) => l.trim())) if (label) labels.add(label);
      return ' ';
    },
  );
  text = text.replace(/\[[^\]]*\]/g, ' ');
  for (const m of text.matchAll(/(?<![\w$.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const word = m[1] ?? '';
    if (!KEYWORDS.has(word.toLowerCase())) metrics.add(word);
  }
  return { metrics: [...metrics], labels: [...labels] };
}

/** Fails for every metric the services do not export and every label those metrics lack. */
function checkQuery(t: Test, where: string, expr: string): void {
  const refs = promqlRefs(expr);
  t.ok(refs.metrics.length > 0, `${where}: queries a metric`);
  const allowed = new Set<string>();
  for (const metric of refs.metrics) {
    const labels = exported.get(metric);
    t.ok(labels, `${where}: ${metric} is exported by the services`);
    for (const label of labels ?? []) allowed.add(label);
  }
  for (const label of refs.labels) {
    t.ok(allowed.has(label), `${where}: label ${label} is one of ${refs.metrics.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The files
// ---------------------------------------------------------------------------------------------

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}
interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}
interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string }; datasource: { uid: string } }[] };
}
interface ComposeService {
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}

const prometheus = await readYaml<PrometheusConfig>(
  'infra/observability/prometheus/prometheus.yml',
);
const ruleFiles = (await readdir(join(observability, 'prometheus', 'rules'))).filter((f) =>
  f.endsWith('.yml'),
);
const rules = (
  await Promise.all(
    ruleFiles.map((f) =>
      readYaml<{ groups: { name: string; rules: AlertRule[] }[] }>(
        `infra/observability/prometheus/rules/${f}`,
      ),
    ),
  )
).flatMap((file) => file.groups.flatMap((g) => g.rules));
const dashboardFiles = (await readdir(join(observability, 'grafana', 'dashboards'))).filter((f) =>
  f.endsWith('.json'),
);
const dashboards = await Promise.all(
  dashboardFiles.map(
    async (f) => JSON.parse(await read(`infra/observability/grafana/dashboards/${f}`)) as Dashboard,
  ),
);
const datasources = await readYaml<{
  datasources: { uid: string; type: string; url: string }[];
}>('infra/observability/grafana/provisioning/datasources/prometheus.yml');
const providers = await readYaml<{ providers: { type: string; options: { path: string } }[] }>(
  'infra/observability/grafana/provisioning/dashboards/aisle.yml',
);
const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const operations = await read('docs/operations.md');

/** The container path a compose service mounts a repository path at. */
function mountOf(service: string, hostPath: string): string | undefined {
  for (const volume of compose.services[service]?.volumes ?? []) {
    const [host, container] = volume.split(':');
    if (host === `./${hostPath}`) return container;
  }
  return undefined;
}

t.test('The exported metrics are known from the registries and the source alike', async (t) => {
  for (const name of [
    'http_request_duration_seconds',
    'aisle_outbox_unpublished_events',
    'aisle_outbox_relayed_events_total',
    'aisle_outbox_relay_lag_seconds',
    'aisle_queue_jobs',
    'aisle_usage_events_total',
    'process_cpu_seconds_total',
  ]) {
    t.ok(registry.has(name), `${name} is on a real /metrics`);
  }
  for (const name of ['aisle_projection_lag_seconds', 'aisle_projection_events_total']) {
    t.ok(declared.has(name), `${name} is declared in the source`);
  }
  for (const [name, metric] of registry) {
    const source = declared.get(name);
    if (source === undefined) continue; // prom-client's default metrics
    t.equal(source.type, metric.type, `${name}: the source says what the registry says`);
    t.same([...source.labels].sort(), [...metric.labels].sort(), `${name}: same labels`);
  }
});

t.test('Prometheus scrapes every service at its compose name and port', async (t) => {
  t.ok(prometheus.global.scrape_interval && prometheus.global.evaluation_interval);
  for (const name of serviceNames) {
    const job = prometheus.scrape_configs.find((s) => s.job_name === name);
    const port = settings[servicePorts[name]].default;
    t.same(
      job?.static_configs.flatMap((c) => c.targets),
      [`${name}:${port}`],
      name,
    );
    t.equal(job?.metrics_path ?? '/metrics', '/metrics');
    t.ok(compose.services[name], `${name} is a compose service`);
  }
  t.equal(prometheus.scrape_configs.length, serviceNames.length, 'no other targets');
  const rulesDir = mountOf('prometheus', 'infra/observability/prometheus/rules');
  t.same(prometheus.rule_files, [`${rulesDir}/*.yml`], 'the rules are where compose mounts them');
  t.equal(
    mountOf('prometheus', 'infra/observability/prometheus/prometheus.yml'),
    '/etc/prometheus/prometheus.yml',
  );
});

t.test('Every alert is complete, documented, and queries exported metrics only', async (t) => {
  const alerts = rules.filter((r) => r.alert !== undefined);
  const names = alerts.map((r) => r.alert ?? '');
  t.equal(new Set(names).size, names.length, 'alert names are unique');
  for (const required of [
    'AisleOutboxBacklogGrowing',
    'AisleDeadLetters',
    'AisleProjectionLagHigh',
    'AisleHighErrorRate',
    'AisleSlowRoute',
  ]) {
    t.ok(names.includes(required), `${required} is defined`);
  }
  for (const rule of alerts) {
    const name = rule.alert ?? '';
    t.match(rule.labels?.['severity'], /^(critical|warning|info)$/, `${name}: severity`);
    t.ok(rule.annotations?.['summary'] && rule.annotations['description'], `${name}: texts`);
    t.equal(rule.annotations?.['runbook_url'], `docs/operations.md#${name.toLowerCase()}`);
    t.match(operations, new RegExp(`^### ${name}$`, 'm'), `${name} has its runbook entry`);
    checkQuery(t, name, rule.expr);
    const used = [...JSON.stringify(rule.annotations).matchAll(/\$labels\.(\w+)/g)];
    const refs = new Set([...promqlRefs(rule.expr).labels, 'job', 'instance']);
    for (const [, label] of used) t.ok(refs.has(label ?? ''), `${name}: $labels.${label} exists`);
  }
});

t.test('The dashboard is well formed and queries exported metrics only', async (t) => {
  const uid = datasources.datasources[0]?.uid;
  t.equal(datasources.datasources.length, 1);
  t.equal(datasources.datasources[0]?.type, 'prometheus');
  t.equal(datasources.datasources[0]?.url, 'http://prometheus:9090', 'the compose service');
  t.same(compose.services['prometheus']?.ports, ['127.0.0.1:9090:9090']);
  t.equal(
    providers.providers[0]?.options.path,
    mountOf('grafana', 'infra/observability/grafana/dashboards'),
    'the provider reads where compose mounts the dashboards',
  );
  t.equal(
    mountOf('grafana', 'infra/observability/grafana/provisioning'),
    '/etc/grafana/provisioning',
  );
  t.ok(dashboards.length >= 1, 'a dashboard');
  const home =
    compose.services['grafana']?.environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'];
  const mounted = mountOf('grafana', 'infra/observability/grafana/dashboards');
  t.ok(
    dashboardFiles.some((f) => home === `${mounted}/${f}`),
    `the home dashboard ${home} is one of the provisioned files`,
  );
  for (const dashboard of dashboards) {
    t.ok(dashboard.uid && dashboard.title, 'uid and title');
    const ids = dashboard.panels.map((p) => p.id);
    t.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const variables = new Set(dashboard.templating.list.map((v) => v.name));
    const queries: string[] = [];
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      t.equal(panel.datasource?.uid, uid, `${panel.title}: the provisioned datasource`);
      t.ok((panel.targets ?? []).length > 0, `${panel.title}: has queries`);
      for (const target of panel.targets ?? []) {
        checkQuery(t, `${panel.title} ${target.refId}`, target.expr);
        queries.push(target.expr);
        for (const [, name] of target.expr.matchAll(/\$(\w+)/g)) {
          t.ok(name?.startsWith('__') || variables.has(name ?? ''), `$${name} is defined`);
        }
      }
    }
    for (const variable of dashboard.templating.list) {
      t.equal(variable.datasource.uid, uid);
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.query.query);
      t.ok(m, `${variable.name}: a label_values query`);
      checkQuery(t, `$${variable.name}`, `${m?.[1] ?? ''}{${m?.[2] ?? ''}!=""}`);
    }
    t.test('no two panels overlap, and all fit the 24-column grid', async (t) => {
      const boxes = dashboard.panels.map((p) => p.gridPos);
      for (const [i, a] of boxes.entries()) {
        t.ok(a.x >= 0 && a.w > 0 && a.x + a.w <= 24, `panel ${ids[i]} fits`);
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          t.notOk(overlap, `panels at ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
        }
      }
    });
    const all = queries.join('\n');
    for (const [what, pattern] of [
      ['request rate', /rate\(http_request_duration_seconds_count/],
      ['latency p50', /histogram_quantile\(0\.5, [^\n]*http_request_duration_seconds_bucket/],
      ['latency p99', /histogram_quantile\(0\.99, [^\n]*http_request_duration_seconds_bucket/],
      ['error rate', /status_code=~"5\.\."/],
      ['outbox backlog', /aisle_outbox_unpublished_events/],
      ['queue depths', /aisle_queue_jobs\{state=~"waiting/],
      ['dead letters', /aisle_queue_jobs\{state="failed"\}/],
      ['projection lag', /aisle_projection_lag_seconds_bucket/],
    ] as const) {
      t.match(all, pattern, `a panel shows ${what}`);
    }
  }
});

t.test('The query checker itself catches unknown metrics and labels', async (t) => {
  t.same(
    promqlRefs(
      'sum by (service, le) (rate(http_request_duration_seconds_bucket{route=~"/v1/.*", status_code!="200"}[$__rate_interval])) > 0.5 and on(service) up == 1',
    ),
    {
      metrics: ['http_request_duration_seconds_bucket', 'up'],
      labels: ['route', 'status_code', 'service', 'le'],
    },
  );
  t.same(promqlRefs('histogram_quantile(0.99, x_bucket) offset 5m'), {
    metrics: ['x_bucket'],
    labels: [],
  });
  t.notOk(exported.has('http_request_duration_seconds'), 'a histogram is queried by its series');
  t.notOk(exported.get('aisle_queue_jobs')?.has('projection'), 'labels are per metric');
});

const promtoolMissing = spawnSync('promtool', ['--version']).error !== undefined;

t.test(
  'The alert rules pass their promtool tests',
  { skip: promtoolMissing ? 'promtool is not installed (apt-get install prometheus)' : false },
  async (t) => {
    const run = spawnSync(
      'promtool',
      ['test', 'rules', 'infra/observability/prometheus/tests/aisle-alerts.test.yml'],
      { cwd: projectRoot, encoding: 'utf8' },
    );
    t.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  },
);
