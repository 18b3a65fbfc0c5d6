/**
 * The bare detail route of bench:read's detail-vs-bare scenario, shared by the two yardsticks:
 * the bare Fastify server (read-bare-server.ts) and Aisle's server base (read-base-server.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

export interface BareDocument {
  readonly body: Buffer;
  readonly etag: string;
}

/** Every detail document of a namespace, read once from the detail read model in Redis. */
export async function loadDocuments(
  redis: Redis,
  prefix: string,
): Promise<Map<string, BareDocument>> {
  const documents = new Map<string, BareDocument>();
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

/** GET /v1/products/:id with the detail route's bytes and headers, from memory, no schema. */
export function bareDetailRoute(
  app: FastifyInstance,
  documents: ReadonlyMap<string, BareDocument>,
  cacheControl: string,
): void {
  app.get<{ Params: { id: string } }>('/v1/products/:id', (request, reply) => {
    const document = documents.get(request.params.id);
    if (document === undefined) return reply.code(404).send();
    return reply
      .header('etag', document.etag)
      .header('cache-control', cacheControl)
      .type('application/json; charset=utf-8')
      .send(document.body);
  });
}
