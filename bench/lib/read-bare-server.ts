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

interface Document {
  readonly body: Buffer;
  readonly etag: string;
}

async function loadDocuments(redis: Redis, prefix: string): Promise<Map<string, Document>> {
  const documents = new Map<string, Document>();
  const keyStart = `${prefix}:detail:product:`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyStart}*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hmget(key, 'body', 'etag');
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const [body, etag] = (replies[i]?.[1] ?? []) as (string | null)[];
      if (body && etag)
        documents.set(key.slice(keyStart.length), { body: Buffer.from(body), etag });
    });
  } while (cursor !== '0');
  return documents;
}

async function main(): Promise<void> {
  const env = process.env;
  const redis = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const documents = await loadDocuments(redis, env['REDIS_KEY_PREFIX'] ?? 'aisle');
  await redis.quit();
  const cacheControl = `public, max-age=${env['CACHE_SECONDS'] ?? '30'}`;

  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/v1/products/:id', (request, reply) => {
    const document = documents.get(request.params.id);
    if (document === undefined) return reply.code(404).send();
    return reply
      .header('etag', document.etag)
      .header('cache-control', cacheControl)
      .type('application/json; charset=utf-8')
      .send(document.body);
  });
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
