import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../shared/config/index.js';
import { LiveMerchandising } from '../../../shared/read-models/merchandising/live.js';
import { closeRedis, createRedis, type Redis } from '../../../shared/stores/redis.js';
import { initialSynonyms } from '../../../shared/read-models/merchandising/initial.js';

/**
 * The instance's live merchandising (synonyms and query rules from the write side): loaded before
 * the routes answer, kept current by announcements and a poll, stopped with the app.
 */
export async function startMerchandising(
  app: FastifyInstance,
  config: Config,
  redis: Redis,
): Promise<LiveMerchandising> {
  const subscriber = createRedis(config.redisUrl, 'blocking');
  subscriber.on('error', () => undefined);
  const live = new LiveMerchandising({
    redis,
    subscriber,
    prefix: config.redisKeyPrefix,
    initial: initialSynonyms(),
    pollMs: config.merchandisingPollMs,
    logger: app.log,
  });
  await live.start();
  app.addHook('onClose', async () => {
    live.close();
    await closeRedis(subscriber);
  });
  return live;
}
