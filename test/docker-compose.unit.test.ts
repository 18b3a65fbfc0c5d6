// No Docker engine runs here, so docker-compose.yml is kept honest by checking it against the
// code: every service is in it, runs its own main.js, and is configured only with variables the
// config module knows.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { serviceNames, servicePorts, settings } from '../shared/config/index.js';
import { projectRoot } from '../shared/paths.js';

interface ComposeService {
  image?: string;
  volumes?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(await readFile(join(projectRoot, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const knownVariables = new Set(Object.values(settings).map((s) => s.env));

t.test(
  'Every Aisle service runs its own main.js, waits for bootstrap and has a healthcheck',
  async (t) => {
    for (const name of serviceNames) {
      const service = compose.services[name];
      t.ok(service, `${name} is in docker-compose.yml`);
      t.match(service?.command?.join(' '), `dist/services/${name}/main.js`);
      t.same(service?.healthcheck?.test?.slice(-2), ['health', name]);
      t.equal(service?.depends_on?.['bootstrap']?.condition, 'service_completed_successfully');
    }
  },
);

t.test('Services are configured only with variables the config module reads', async (t) => {
  for (const name of [...serviceNames, 'bootstrap']) {
    const environment = compose.services[name]?.environment ?? {};
    for (const variable of Object.keys(environment)) {
      t.ok(knownVariables.has(variable), `${name}: ${variable} is a known setting`);
    }
    for (const needed of [
      'DATABASE_URL',
      'REDIS_URL',
      'SEARCH_URL',
      'CLICKHOUSE_URL',
      'ADMIN_TOKENS',
      'ANALYTICS_TOKENS',
    ]) {
      t.ok(environment[needed], `${name}: ${needed} is set`);
    }
    t.equal(environment['HOST'], '0.0.0.0', `${name} listens beyond the container's loopback`);
  }
});

t.test('Published API ports are the configured defaults, on loopback only', async (t) => {
  for (const name of ['catalog-read', 'catalog-write', 'analytics-api'] as const) {
    const port = settings[servicePorts[name]].default;
    t.same(compose.services[name]?.ports, [`127.0.0.1:${port}:${port}`]);
  }
});

t.test('Redis is configured the way BullMQ needs it', async (t) => {
  const command = compose.services['redis']?.command?.join(' ') ?? '';
  t.match(command, '--maxmemory-policy noeviction');
  t.match(command, '--appendonly yes');
});

t.test('The image carries every infra file the services read at start-up', async (t) => {
  const dockerfile = await readFile(join(projectRoot, 'Dockerfile'), 'utf8');
  const dataFiles = [
    'infra/postgres',
    'infra/search',
    'shared/read-models/search/products.template.json',
    'shared/read-models/analytics/tables',
  ];
  for (const path of dataFiles) {
    t.match(dockerfile, `COPY ${path} ./${path}`);
  }
});

t.test(
  'Prometheus and Grafana run beside the services, on loopback, with files that exist',
  async (t) => {
    const observability = {
      prometheus: { image: /^prom\/prometheus:/, ports: ['127.0.0.1:9090:9090'] },
      grafana: { image: /^grafana\/grafana:/, ports: ['127.0.0.1:3030:3000'] },
    };
    for (const [name, expected] of Object.entries(observability)) {
      const service = compose.services[name];
      t.match(service?.image, expected.image, `${name} runs the official image`);
      t.same(service?.ports, expected.ports, `${name} is published on loopback only`);
      for (const volume of service?.volumes ?? []) {
        const [source = '', , mode] = volume.split(':');
        if (source.startsWith('./')) {
          await t.resolves(
            access(join(projectRoot, source)),
            `${name} mounts ${source}, which exists`,
          );
          t.equal(mode, 'ro', `${name} mounts ${source} read-only`);
        } else {
          t.ok(Object.hasOwn(compose.volumes, source), `${name}: volume ${source} is declared`);
        }
      }
    }
    const grafana = compose.services['grafana']?.environment ?? {};
    t.match(
      grafana['GF_SECURITY_ADMIN_PASSWORD'],
      /^\$\{GRAFANA_ADMIN_PASSWORD:\?/,
      'the admin password comes only from the environment',
    );
    t.equal(grafana['GF_AUTH_ANONYMOUS_ORG_ROLE'], 'Viewer', 'anonymous users may only look');
  },
);
