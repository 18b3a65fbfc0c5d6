import type { FastifyInstance } from 'fastify';
import type { ProductStatus } from '../../../shared/events/catalog-events.js';
import { withProblems } from '../../../shared/http/error-schemas.js';
import { Problem } from '../../../shared/http/problems.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import { decodeCursor } from '../../../shared/write-model/products/list-cursor.js';
import { listProducts } from '../../../shared/write-model/products/listing.js';
import { productListQuery, productListResponse } from './list-schemas.js';

interface ListQuery {
  q?: string;
  status?: ProductStatus;
  categoryId?: string;
  brand?: string;
  sku?: string;
  updatedAfter?: string;
  size: number;
  cursor?: string;
}

function cursorOf(raw: string | undefined) {
  if (raw === undefined) return undefined;
  const cursor = decodeCursor(raw);
  if (cursor === undefined) {
    throw new Problem('validation_failed', 'cursor is not one this listing issued', [
      { field: 'querystring.cursor', message: 'is not a valid cursor' },
    ]);
  }
  return cursor;
}

/** GET /admin/v1/products: the write model, filtered, newest change first, keyset pages. */
export function productListRoute(app: FastifyInstance, opts: { pool: Pool }): void {
  app.get<{ Querystring: ListQuery }>(
    '/products',
    {
      schema: {
        tags: ['products'],
        security: [{ bearer: [] }],
        summary: 'List products as stored (strongly consistent), newest change first',
        description:
          'Keyset paging: pass nextCursor back as cursor until it is null. A product changed ' +
          'during a walk moves to the front and is not seen again by that walk; list with ' +
          'updatedAfter=<when the walk started> afterwards to catch such changes.',
        querystring: productListQuery,
        response: withProblems({ 200: productListResponse }),
      },
    },
    async (request) => {
      const { cursor, ...filters } = request.query;
      return listProducts(opts.pool, { ...filters, cursor: cursorOf(cursor) });
    },
  );
}
