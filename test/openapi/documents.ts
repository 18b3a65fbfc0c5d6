import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { OpenAPI3 } from 'openapi-typescript';
import prettier from 'prettier';
import { buildAnalyticsApiApp } from '../../services/analytics-api/app.js';
import { buildCatalogReadApp } from '../../services/catalog-read/app.js';
import { buildOutboxRelayApp } from '../../services/outbox-relay/app.js';
import { buildAnalyticsProjectorApp } from '../../services/projector-analytics/app.js';
import { buildDetailProjectorApp } from '../../services/projector-detail/app.js';
import { buildSearchProjectorApp } from '../../services/projector-search/app.js';
import type { Config } from '../../shared/config/index.js';
import { clickhouseFromConfig, postgresFromConfig } from '../../shared/stores/open.js';
import { openQueues } from '../../shared/stores/queues.js';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { writeHarness } from '../support/catalog-write.js';
import { isolatedConfig, type Teardowns } from '../support/isolation.js';
import { silentLogger } from '../support/logger.js';

/** An OpenAPI document as served at /docs/json (whether it conforms is what the tests check). */
export type OpenApiDocument = OpenAPI3 & Required<Pick<OpenAPI3, 'paths'>>;

type Builder = (t: Teardowns, config: Config) => Promise<FastifyInstance>;

/** A builder whose app closes at teardown. */
const closing =
  (build: (config: Config) => Promise<FastifyInstance>): Builder =>
  async (t, config) => {
    const app = await build(config);
    t.teardown(() => app.close());
    return app;
  };

/** Every service built on createServer serves its own document at /docs/json. */
const builders = {
  // writeHarness migrates the schema (the relay polls its outbox) and closes its app itself.
  'catalog-write': async (t, config) => (await writeHarness(t, config)).app,
  'catalog-read': closing((config) =>
    buildCatalogReadApp({
      config,
      logger: silentLogger,
      search: openSearch(config),
      redis: openRedis(config.redisUrl),
      // Nothing is recorded: the document is all this app serves here.
      usage: () => ({ recordSearch: () => undefined, recordView: () => undefined }),
    }),
  ),
  'analytics-api': closing((config) =>
    buildAnalyticsApiApp({
      config,
      logger: silentLogger,
      clickhouse: clickhouseFromConfig(config),
      redis: openRedis(config.redisUrl),
    }),
  ),
  'outbox-relay': closing((config) =>
    buildOutboxRelayApp({
      config,
      logger: silentLogger,
      postgres: postgresFromConfig(config, 'relay'),
      queues: openQueues(config.redisUrl, config.redisKeyPrefix, ['search', 'detail', 'analytics']),
    }),
  ),
  'projector-search': closing((config) =>
    buildSearchProjectorApp({
      config,
      logger: silentLogger,
      search: openSearch(config),
      redis: openRedis(config.redisUrl),
    }),
  ),
  'projector-detail': closing((config) =>
    buildDetailProjectorApp({ config, logger: silentLogger, redis: openRedis(config.redisUrl) }),
  ),
  'projector-analytics': closing((config) =>
    buildAnalyticsProjectorApp({
      config,
      logger: silentLogger,
      clickhouse: clickhouseFromConfig(config),
      redis: openRedis(config.redisUrl),
    }),
  ),
} satisfies Record<string, Builder>;

export type ServiceName = keyof typeof builders;
export const serviceNames = Object.keys(builders) as ServiceName[];

/**
 * Each service's document, from the service itself: built as the tests build it, on one isolated
 * config, in order (catalog-write first), closed at teardown.
 */
export async function serviceDocuments(
  t: Teardowns,
): Promise<{ service: ServiceName; document: OpenApiDocument }[]> {
  const config = isolatedConfig(t);
  const documents: { service: ServiceName; document: OpenApiDocument }[] = [];
  for (const service of serviceNames) {
    const app = await builders[service](t, config);
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    if (response.statusCode !== 200) {
      throw new Error(`${service} answered ${response.statusCode} for /docs/json`);
    }
    documents.push({ service, document: response.json<OpenApiDocument>() });
  }
  return documents;
}

/** Where `npm run openapi` publishes a service's document in the repository. */
export const publishedPath = (service: ServiceName) =>
  fileURLToPath(new URL(`../../docs/openapi/${service}.json`, import.meta.url));

/** A document as it is published: JSON formatted the way the repository's Prettier checks it. */
export async function publishedText(service: ServiceName, document: OpenApiDocument) {
  const file = publishedPath(service);
  const options = await prettier.resolveConfig(file);
  return prettier.format(JSON.stringify(document), { ...options, filepath: file });
}
