import { openRedis } from '../../shared/stores/redis.js';
// Hostile input against catalog-read and analytics-api, walked from their own OpenAPI documents
// (see README.md in this folder), over a small catalog that went through the real pipeline.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildAnalyticsApiApp } from '../../services/analytics-api/app.js';
import { clickhouseFromConfig } from '../../shared/stores/open.js';
import { silentLogger } from '../support/logger.js';
import { startPipeline } from '../support/pipeline.js';
import { startReadSide } from '../support/read-side.js';
import { waitFor } from '../support/wait.js';
import type { HostileCase } from './case.js';
import { ANALYTICS_DEFECTS, READ_DEFECTS } from './known-defects.js';
import { operationsOf, type Operation } from './openapi.js';
import { parameterCases } from './parameter-cases.js';
import { seedFromEnv, seededRandom } from './prng.js';
import { ReadEnv } from './read-env.js';
import { readScenarios } from './read-scenarios.js';
import { authCases, methodCases } from './route-cases.js';
import { runCases, summarize, totalCases, type KnownDefect } from './runner.js';

const ANALYTICS_TOKEN = 'analytics-token-for-tests-01';

const seed = seedFromEnv();
t.comment(`hostile read side: seed ${seed} (HOSTILE_SEED=${seed} repeats this run)`);
const rng = seededRandom(seed);
// A short wait for minVersion: a version that never arrives answers 503 quickly.
const pipeline = await startPipeline(t, { READ_YOUR_WRITES_TIMEOUT_MS: '100' });
const read = await startReadSide(t, pipeline);
const analytics = await buildAnalyticsApiApp({
  config: pipeline.config,
  logger: silentLogger,
  clickhouse: clickhouseFromConfig(pipeline.config),
  redis: openRedis(pipeline.config.redisUrl),
});
t.teardown(() => analytics.close());

const productId = await seedCatalog();

async function seedCatalog(): Promise<string> {
  const admin = (options: Parameters<typeof pipeline.write.admin>[0]) =>
    pipeline.write.admin(options);
  const category = await admin({
    method: 'POST',
    url: '/admin/v1/categories',
    payload: { slug: 'hostile-shoes', name: 'Shoes' },
  });
  const categoryId = category.json<{ id: string }>().id;
  const ids: string[] = [];
  for (const [i, color] of ['blue', 'red', 'black'].entries()) {
    const created = await admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: {
        sku: `HOSTILE-${i}`,
        name: `Trail shoe ${color}`,
        brand: 'Stride',
        categoryId,
        attributes: { color, size: ['42', '43'], weight_g: 280 + i },
        price: { amountMinor: 4999 + i * 1000, currency: 'EUR' },
        stock: { main: i },
        status: 'published',
      },
    });
    ids.push(created.json<{ id: string }>().id);
  }
  const first = ids[0] as string;
  await waitFor('the seeded catalog in search and detail', async () => {
    const found = (await read.get('/v1/search?q=trail')).json<{ total?: number }>();
    const detail = await read.get(`/v1/products/${first}`);
    return found.total === ids.length && detail.statusCode === 200 ? true : undefined;
  });
  return first;
}

async function walk(
  name: string,
  app: FastifyInstance,
  env: ReadEnv,
  token: string,
  knownDefects: readonly KnownDefect[],
) {
  const docs: unknown = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  const ops = operationsOf(docs);
  const cases: HostileCase[] = [
    ...ops.flatMap((op: Operation) => [...parameterCases(op, rng), ...authCases(op, token)]),
    ...methodCases(ops),
    ...readScenarios(ops),
  ];
  const counts = await runCases(t, { name, app, env, knownDefects }, cases);
  for (const line of summarize(name, counts)) t.comment(line);
  return counts;
}

const readCounts = await walk('catalog-read', read.app, new ReadEnv(productId), '', READ_DEFECTS);
const analyticsCounts = await walk(
  'analytics-api',
  analytics,
  new ReadEnv(productId, `Bearer ${ANALYTICS_TOKEN}`),
  ANALYTICS_TOKEN,
  ANALYTICS_DEFECTS,
);
const total = totalCases(readCounts) + totalCases(analyticsCounts);
t.comment(`read side: ${total} cases`);
t.ok(readCounts.size >= 4 && analyticsCounts.size >= 6, 'every read route was walked');
t.ok(total >= 500, `at least 500 cases on the read side (${total})`);
