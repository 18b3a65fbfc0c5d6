/**
 * A layer between the two ends of bench:read's detail-vs-bare: Aisle's server base as every
 * service has it (createServer: problem+json, health, metrics, docs, request ids, the request
 * logging policy, configured as `npm start` configures catalog-read) with the bare detail route
 * from memory. Measured in place of catalog-read, it says how much of the gap is the base and
 * how much the detail route's own hooks and work:
 *
 *   npm run bench:read -- --scenarios detail-vs-bare --detail-main bench/lib/read-base-server.ts
 */
import { Redis } from 'ioredis';
import { runService } from '../../shared/lifecycle/run-service.js';
import { createServer } from '../../shared/http/server.js';
import { bareDetailRoute, loadDocuments } from './read-bare-route.js';

await runService({
  service: 'catalog-read',
  build: async (config, logger) => {
    const redis = new Redis(config.redisUrl);
    const documents = await loadDocuments(redis, config.redisKeyPrefix);
    await redis.quit();
    const app = await createServer({
      service: 'catalog-read',
      description: 'Server base with the bare detail route (bench:read yardstick).',
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      readinessTimeoutMs: config.readinessTimeoutMs,
    });
    bareDetailRoute(app, documents, `public, max-age=${config.detailCacheSeconds}`);
    return app;
  },
});
