import t from 'tap';
import { Histogram, Registry, type Metric } from 'prom-client';
import { REQUEST_DURATION_BUCKETS, RequestDurationHistogram } from './request-duration.js';

type Observation = readonly [method: string, route: string, status: number, seconds: number];

const observations: readonly Observation[] = [
  ['GET', '/v1/products/:id', 200, 0.0004],
  ['GET', '/v1/products/:id', 200, 0.001], // on a bound: counted in that bucket
  ['GET', '/v1/products/:id', 200, 0.0031],
  ['GET', '/v1/products/:id', 304, 0.0002],
  ['HEAD', '/v1/products/:id', 200, 0.0007],
  ['GET', '/v1/search', 200, 0.049],
  ['GET', '/v1/search', 503, 2.01],
  ['GET', 'unmatched', 404, 7.5], // past the last bound: only +Inf
];

/** The exposition lines of a registry holding one metric, with the service label set. */
async function exposition(register: (registry: Registry) => void): Promise<string[]> {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'test' });
  register(registry);
  return (await registry.metrics()).split('\n').filter((line) => line !== '');
}

t.test(
  'Given the same observations, then the text is what prom-client Histogram exports',
  async (t) => {
    const reference = await exposition((registry) => {
      const histogram = new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request latency by route and status.',
        labelNames: ['method', 'route', 'status_code'] as const,
        buckets: [...REQUEST_DURATION_BUCKETS],
        registers: [registry],
      });
      for (const [method, route, status, seconds] of observations) {
        histogram.observe({ method, route, status_code: String(status) }, seconds);
      }
    });
    const ours = await exposition((registry) => {
      const histogram = new RequestDurationHistogram();
      registry.registerMetric(histogram as unknown as Metric);
      for (const [method, route, status, seconds] of observations) {
        histogram.observe(method, route, status, seconds);
      }
    });
    // Series may come in another order; each line must be the same, label order included.
    t.same([...ours].sort(), [...reference].sort());
    t.ok(
      ours.includes(
        'http_request_duration_seconds_bucket{le="0.001",service="test",method="GET",route="/v1/products/:id",status_code="200"} 2',
      ),
      'a value on a bound counts in that bucket',
    );
    t.ok(
      ours.includes(
        'http_request_duration_seconds_count{service="test",method="GET",route="unmatched",status_code="404"} 1',
      ),
    );
  },
);

t.test('When the registry is reset, then no series is left', async (t) => {
  const registry = new Registry();
  const histogram = new RequestDurationHistogram();
  registry.registerMetric(histogram as unknown as Metric);
  histogram.observe('GET', '/x', 200, 0.01);
  registry.resetMetrics();
  const text = await registry.metrics();
  t.notMatch(text, /http_request_duration_seconds_count/);
  t.match(text, /# TYPE http_request_duration_seconds histogram/);
});

t.test('The JSON export has every label on each sample', async (t) => {
  const registry = new Registry();
  const histogram = new RequestDurationHistogram();
  registry.registerMetric(histogram as unknown as Metric);
  histogram.observe('GET', '/x', 201, 0.3);
  const [metric] = await registry.getMetricsAsJSON();
  const count = metric?.values.find(
    (v) => (v as { metricName?: string }).metricName === 'http_request_duration_seconds_count',
  );
  t.same(count?.labels, { method: 'GET', route: '/x', status_code: '201' });
  t.equal(count?.value, 1);
  const bucket = metric?.values.find((v) => v.labels['le'] === 0.5);
  t.same(bucket?.labels, { method: 'GET', route: '/x', status_code: '201', le: 0.5 });
});
