import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildCatalogReadApp } from '../../services/catalog-read/app.js';
import type { SearchUsage } from '../../services/catalog-read/usage/recorder.js';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import type { Teardowns } from './isolation.js';
import { silentLogger } from './logger.js';
import type { Pipeline } from './pipeline.js';

export interface ReadSide {
  readonly app: FastifyInstance;
  /** Every search the app recorded, in order. */
  readonly searches: SearchUsage[];
  /** Every product view the app recorded, in order. */
  readonly views: string[];
  /** GET through inject(). */
  get(url: string, headers?: InjectOptions['headers']): Promise<LightMyRequestResponse>;
}

/**
 * A catalog-read app on the pipeline's config (same index, Redis prefix), with a usage recorder
 * that keeps events in memory for assertions. Closed at teardown. Its rate limiter is off: every
 * test request comes from one address, faster than any shopper, and would soon be refused (the
 * limiter's own tests are in services/catalog-read/edge/).
 */
export async function startReadSide(
  t: Teardowns,
  pipeline: Pick<Pipeline, 'config'>,
): Promise<ReadSide> {
  const searches: SearchUsage[] = [];
  const views: string[] = [];
  const app = await buildCatalogReadApp({
    config: { ...pipeline.config, rateLimitEnabled: false },
    logger: silentLogger,
    search: openSearch(pipeline.config),
    redis: openRedis(pipeline.config.redisUrl),
    usage: () => ({
      recordSearch: (usage) => void searches.push(usage),
      recordView: (id) => void views.push(id),
    }),
  });
  t.teardown(() => app.close());
  await app.ready();
  return {
    app,
    searches,
    views,
    get: (url, headers) => app.inject({ method: 'GET', url, ...(headers ? { headers } : {}) }),
  };
}
