import type { FastifyInstance } from 'fastify';
import { buildOutboxRelayApp } from '../../services/outbox-relay/app.js';
import { buildAnalyticsProjectorApp } from '../../services/projector-analytics/app.js';
import { buildDetailProjectorApp } from '../../services/projector-detail/app.js';
import { buildSearchProjectorApp } from '../../services/projector-search/app.js';
import type { Config } from '../../shared/config/index.js';
import type { openClickHouse } from '../../shared/stores/clickhouse.js';
import {
  clickhouseFromConfig,
  clickhouseOptions,
  postgresFromConfig,
} from '../../shared/stores/open.js';
import { openQueues } from '../../shared/stores/queues.js';
import { openRedis } from '../../shared/stores/redis.js';
import { bootstrapSearch } from '../../shared/read-models/search/index-setup.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { writeHarness, type WriteHarness } from './catalog-write.js';
import { isolatedConfig, type Teardowns } from './isolation.js';
import { silentLogger } from './logger.js';
import { bootstrapClickHouse } from '../../shared/read-models/analytics/tables.js';

export interface Pipeline {
  readonly config: Config;
  readonly write: WriteHarness;
  readonly alias: string;
  readonly search: ReturnType<typeof openSearch>;
  readonly redis: ReturnType<typeof openRedis>;
  readonly clickhouse: ReturnType<typeof openClickHouse>;
  /** The Prometheus text of one projector (or the relay) of this pipeline. */
  metrics(service: 'relay' | 'search' | 'detail' | 'analytics'): Promise<string>;
}

/** The write side, the relay and the three projectors, in process, on one isolated config. */
export async function startPipeline(
  t: Teardowns,
  overrides: Record<string, string> = {},
): Promise<Pipeline> {
  const config = isolatedConfig(t, {
    OUTBOX_POLL_INTERVAL_MS: '200',
    PROJECTION_BATCH_WAIT_MS: '5',
    ...overrides,
  });
  const write = await writeHarness(t, config);
  const search = openSearch(config);
  const { alias } = await bootstrapSearch(search.client, config.searchIndexPrefix);
  await bootstrapClickHouse(clickhouseOptions(config));
  const deps = { config, logger: silentLogger };
  const apps: FastifyInstance[] = [
    await buildOutboxRelayApp({
      ...deps,
      postgres: postgresFromConfig(config, 'relay'),
      queues: openQueues(config.redisUrl, config.redisKeyPrefix, ['search', 'detail', 'analytics']),
    }),
    await buildSearchProjectorApp({
      ...deps,
      search: openSearch(config),
      redis: openRedis(config.redisUrl),
    }),
    await buildDetailProjectorApp({ ...deps, redis: openRedis(config.redisUrl) }),
    await buildAnalyticsProjectorApp({
      ...deps,
      clickhouse: clickhouseFromConfig(config),
      redis: openRedis(config.redisUrl),
    }),
  ];
  await Promise.all(apps.map((app) => app.ready()));
  const redis = openRedis(config.redisUrl);
  const clickhouse = clickhouseFromConfig(config);
  t.teardown(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all([search.close(), redis.close(), clickhouse.close()]);
  });
  const byService = { relay: 0, search: 1, detail: 2, analytics: 3 } as const;
  const metrics = async (service: keyof typeof byService) =>
    (await (apps[byService[service]] as FastifyInstance).inject({ url: '/metrics' })).body;
  return { config, write, alias, search, redis, clickhouse, metrics };
}
