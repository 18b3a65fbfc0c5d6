import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Problem } from '../../../shared/http/problems.js';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import type { CatalogReadContext } from '../context.js';
import type { VersionWaiter } from '../../../shared/read-models/detail/version-waiter.js';

const problem = { $ref: 'Problem#' } as const;

function minVersionOf(
  request: FastifyRequest<{ Querystring: { minVersion?: number } }>,
): number | undefined {
  const header = request.headers['x-aisle-min-version'];
  if (request.query.minVersion !== undefined) return request.query.minVersion;
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) {
    throw new Problem('validation_failed', 'X-Aisle-Min-Version must be a version number', [
      { field: 'headers.x-aisle-min-version', message: 'is not a version' },
    ]);
  }
  return Number(header);
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate === etag || candidate === `W/${etag}`;
  });
}

/**
 * GET /v1/products/:id: one HMGET of bytes the detail projector already rendered. With
 * minVersion it waits, bounded, for the projector to announce that version; past the bound it
 * says 503 rather than serve data older than the client knows exists.
 */
export function productRoutes(
  app: FastifyInstance,
  context: CatalogReadContext,
  waiter: VersionWaiter,
): void {
  const { config, redis } = context;
  const cacheControl = `public, max-age=${config.detailCacheSeconds}`;

  app.get<{ Params: { id: string }; Querystring: { minVersion?: number } }>(
    '/products/:id',
    {
      schema: {
        tags: ['products'],
        summary:
          'Product detail of a published product (pre-rendered; ETag, 304, read-your-writes)',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', format: 'uuid' } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { minVersion: { type: 'integer', minimum: 1, maximum: 1e15 } },
        },
        response: {
          200: {
            description: 'The product detail document',
            type: 'object',
            additionalProperties: true,
          },
          '4xx': problem,
          '5xx': problem,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const key = detailKeys.product(config.redisKeyPrefix, id);
      let stored = await redis.hmget(key, 'body', 'etag', 'version');
      const minVersion = minVersionOf(request);
      if (minVersion !== undefined && Number(stored[2] ?? 0) < minVersion) {
        const reached = await waiter.waitFor(
          id,
          minVersion,
          config.readYourWritesTimeoutMs,
          async () => {
            stored = await redis.hmget(key, 'body', 'etag', 'version');
            return Number(stored[2] ?? 0);
          },
        );
        if (!reached) {
          throw new Problem(
            'unavailable',
            `version ${minVersion} of this product is not readable yet`,
            undefined,
            {
              'retry-after': '1',
            },
          );
        }
      }
      const [body, etag] = stored;
      if (!body || !etag) throw new Problem('not_found', `no published product ${id}`);
      void reply.header('etag', etag).header('cache-control', cacheControl);
      if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      context.usage.recordView(id);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
