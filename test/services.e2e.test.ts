import t from 'tap';
import { serviceNames, servicePorts, settings, type ServiceName } from '../shared/config/index.js';
import { isolatedEnv } from './support/isolation.js';
import { freePort, startService, type RunningService } from './support/processes.js';
import { waitFor } from './support/wait.js';

/** The stores each service's readiness must report. */
const checksOf: Record<ServiceName, string[]> = {
  'catalog-write': ['postgres'],
  'outbox-relay': ['postgres', 'queues'],
  'projector-search': ['search', 'redis'],
  'projector-detail': ['redis'],
  'projector-analytics': ['clickhouse', 'redis'],
  'catalog-read': ['search', 'redis'],
  'analytics-api': ['clickhouse'],
};
const services = serviceNames.map((name) => ({
  name,
  portVar: settings[servicePorts[name]].env,
  checks: checksOf[name],
}));

async function readiness(port: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
  return { status: response.status, body: await response.json() };
}

t.test(
  'Every service starts from its main.ts, is ready with its stores, and stops on SIGTERM',
  async (t) => {
    const env = isolatedEnv(t, { SHUTDOWN_TIMEOUT_MS: '10000', LOG_LEVEL: 'info' });
    const ports = await Promise.all(services.map(() => freePort()));
    for (const [i, service] of services.entries()) env[service.portVar] = String(ports[i]);

    const running: RunningService[] = services.map((s) => startService(s.name, env));
    t.teardown(() => running.forEach((r) => r.child.kill('SIGKILL')));

    await Promise.all(
      services.map(async (service, i) => {
        const port = ports[i]!;
        const process = running[i]!;
        const ready = await waitFor(
          `${service.name} to be ready`,
          async () => {
            if (process.child.exitCode !== null) {
              throw new Error(`${service.name} exited:\n${process.output()}`);
            }
            const result = await readiness(port);
            return result.status === 200 ? result : undefined;
          },
          60_000,
          200,
        );
        t.match(ready.body, {
          status: 'ready',
          checks: Object.fromEntries(service.checks.map((c) => [c, { status: 'up' }])),
        });
        const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
        t.match(await metrics.text(), new RegExp(`service="${service.name}"`));
      }),
    );

    const queueMetrics = await fetch(`http://127.0.0.1:${ports[1]}/metrics`);
    t.match(await queueMetrics.text(), /aisle_queue_jobs\{.*queue="projection-search"/);

    for (const process of running) process.child.kill('SIGTERM');
    const codes = await Promise.all(running.map((r) => r.exited));
    t.same(
      codes,
      services.map(() => 0),
      'every service exits 0 after draining',
    );
    for (const [i, process] of running.entries()) {
      t.match(process.output(), /"msg":"stopped"/, `${services[i]!.name} logged a clean stop`);
    }
  },
);

t.test('When a required variable is missing, then the service exits 78 naming it', async (t) => {
  const env = isolatedEnv(t);
  delete env['ADMIN_TOKENS'];
  const process = startService('catalog-write', env);
  t.equal(await process.exited, 78);
  t.match(process.output(), /ADMIN_TOKENS is required/);
});

t.test('When a variable is invalid, then the service exits 78 naming it', async (t) => {
  const env = isolatedEnv(t, { SEARCH_ENGINE: 'solr' });
  const process = startService('catalog-read', env);
  t.equal(await process.exited, 78);
  t.match(process.output(), /SEARCH_ENGINE must be one of: opensearch, elasticsearch/);
});

t.test('When a store is unreachable, then readiness is 503 and names it', async (t) => {
  const port = await freePort();
  const env = isolatedEnv(t, {
    CATALOG_READ_PORT: String(port),
    SEARCH_URL: 'http://127.0.0.1:1',
    READINESS_TIMEOUT_MS: '500',
  });
  const process = startService('catalog-read', env);
  t.teardown(() => process.child.kill('SIGKILL'));
  const result = await waitFor(
    'catalog-read to answer readiness',
    async () => {
      if (process.child.exitCode !== null) throw new Error(process.output());
      return readiness(port);
    },
    30_000,
    200,
  );
  t.equal(result.status, 503);
  t.match(result.body, {
    status: 'unready',
    checks: { search: { status: 'down' }, redis: { status: 'up' } },
  });
});
