import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withProblems } from '../../../shared/http/error-schemas.js';
import { Problem } from '../../../shared/http/problems.js';
import type { DetailEntry } from '../../../shared/read-models/detail/cache.js';
import {
  VersionWaiter,
  type VersionChannel,
} from '../../../shared/read-models/detail/version-waiter.js';
import type { CatalogReadContext } from '../context.js';
import { productDetailSchema } from './detail-schema.js';
import { DetailReader, type StoredDetail } from './detail-reader.js';

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

/** The detail route's parameters, after validation. */
type DetailRequest = FastifyRequest<{
  Params: { id: string };
  Querystring: { minVersion?: number };
}>;

const detailSchema = {
  tags: ['products'],
  summary: 'Product detail of a published product (pre-rendered; ETag, 304, read-your-writes)',
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
  response: withProblems({ 200: productDetailSchema }),
} as const;

/**
 * GET /v1/products/:id: bytes the detail projector already rendered, from the in-process cache
 * (kept exact by the projector's announcements) or else one HMGET. With minVersion it waits,
 * bounded, for the projector to announce that version; past the bound it says 503 rather than
 * serve data older than the client knows exists.
 */
export function productRoutes(
  app: FastifyInstance,
  context: CatalogReadContext,
  announcements: VersionChannel,
): void {
  const { config } = context;
  const cacheControl = `public, max-age=${config.detailCacheSeconds}`;
  const waiter = new VersionWaiter(announcements);
  const reader = new DetailReader({
    redis: context.redis,
    keyPrefix: config.redisKeyPrefix,
    announcements,
    cacheMaxBytes: config.detailCacheMaxBytes,
    registry: app.metrics,
  });

  const send = (request: DetailRequest, reply: FastifyReply, entry: DetailEntry) => {
    void reply.header('etag', entry.etag).header('cache-control', cacheControl);
    if (matches(request.headers['if-none-match'], entry.etag)) {
      void reply.code(304).send();
      return;
    }
    // A HEAD is a client checking the resource, not a shopper seeing the product.
    if (request.method === 'GET') context.usage.recordView(request.params.id);
    void reply.type('application/json; charset=utf-8').send(entry.body);
  };

  /** Redis, and the bounded wait for minVersion when Redis is behind it. */
  const readThrough = async (
    request: DetailRequest,
    reply: FastifyReply,
    minVersion: number | undefined,
  ): Promise<void> => {
    const { id } = request.params;
    let stored: StoredDetail = await reader.read(id);
    if (minVersion !== undefined && stored.version < minVersion) {
      const reached = await waiter.waitFor(
        id,
        minVersion,
        config.readYourWritesTimeoutMs,
        async () => {
          stored = await reader.read(id);
          return stored.version;
        },
      );
      if (!reached) {
        throw new Problem(
          'unavailable',
          `version ${minVersion} of this product is not readable yet`,
          undefined,
          { 'retry-after': '1' },
        );
      }
    }
    if (stored.entry === undefined) throw new Problem('not_found', `no published product ${id}`);
    send(request, reply, stored.entry);
  };

  // Not async: a cache hit answers without a promise or a microtask.
  app.get<{ Params: { id: string }; Querystring: { minVersion?: number } }>(
    '/products/:id',
    { schema: detailSchema, config: { readsMinVersionHeader: true } },
    (request, reply) => {
      const minVersion = minVersionOf(request);
      const hit = reader.cached(request.params.id, minVersion);
      if (hit === undefined) return readThrough(request, reply, minVersion);
      send(request, reply, hit);
      return undefined;
    },
  );
}
