import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../../../shared/config/index.js';
import { SearchGeneration } from '../../../shared/read-models/search/generation.js';
import { createRedis, type Redis } from '../../../shared/stores/redis.js';

/**
 * The instance's view of the search index generation (what the search cache keys its long-lived
 * answers on): followed by announcements and a poll, never awaited, stopped with the app.
 */
export function startSearchGeneration(
  app: FastifyInstance,
  config: Pick<Config, 'redisUrl' | 'redisKeyPrefix' | 'searchGenerationPollMs'>,
  redis: Redis,
): SearchGeneration {
  const changes = new Counter({
    name: 'aisle_search_generation_changes_total',
    help: 'Changes of the search index generation catalog-read saw (each ends the cached answers of the one before).',
    registers: [app.metrics],
  });
  const subscriber = createRedis(config.redisUrl, 'blocking');
  subscriber.on('error', () => undefined);
  const generation = new SearchGeneration({
    redis,
    subscriber,
    prefix: config.redisKeyPrefix,
    pollMs: config.searchGenerationPollMs,
    onChange: () => changes.inc(),
  });
  new Gauge({
    name: 'aisle_search_generation_followed',
    help: '1 while catalog-read follows the search index generation (cached answers live until it changes); 0 in fallback (every answer lives SEARCH_CACHE_TTL_MS).',
    registers: [app.metrics],
    collect() {
      this.set(generation.current().followed ? 1 : 0);
    },
  });
  generation.start();
  app.addHook('onClose', (_instance, done) => {
    generation.close();
    // Not QUIT: with Redis away a blocking client would queue it forever; a subscribed
    // connection has nothing to flush.
    subscriber.disconnect();
    done();
  });
  return generation;
}
