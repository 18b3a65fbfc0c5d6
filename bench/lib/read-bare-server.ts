/**
 * The yardstick of bench:read's detail-vs-bare scenario: a bare Fastify route (no logger, no
 * hooks, no validation) answering GET /v1/products/:id with the same bytes and headers as the
 * detail route, from a Map filled once from the detail read model in Redis.
 *
 *   REDIS_URL=… REDIS_KEY_PREFIX=… PORT=… CACHE_SECONDS=30 node --import tsx read-bare-server.ts
 *
 * Prints `ready <documents>` on stdout once it listens.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { bareDetailRoute, loadDocuments } from './read-bare-route.js';

async function main(): Promise<void> {
  const env = process.env;
  const redis = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const documents = await loadDocuments(redis, env['REDIS_KEY_PREFIX'] ?? 'aisle');
  await redis.quit();
  const app = Fastify({ logger: false });
  bareDetailRoute(app, documents, `public, max-age=${env['CACHE_SECONDS'] ?? '30'}`);
  await app.listen({ host: '127.0.0.1', port: Number(env['PORT'] ?? 0) });
  process.stdout.write(`ready ${documents.size}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void app.close().then(() => process.exit(0)));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bare server failed: ${String(error)}\n`);
  process.exit(1);
});
