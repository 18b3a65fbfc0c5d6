import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../../shared/http/error-schemas.js';
import type { Money, ProductSnapshot } from '../../../shared/events/catalog-events.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import { answerCommand } from '../commands/respond.js';
import { etagOf, refuseConditionalCreate } from '../http.js';
import { productListRoute } from './list-route.js';
import { variantRoutes } from './variant-routes.js';
import { readProduct, runProductCommand } from '../../../shared/write-model/products/commands.js';
import {
  createCommand,
  type CreateBody,
} from '../../../shared/write-model/products/create-body.js';
import type { DetailsPatch, ProductCommand } from '../../../shared/write-model/products/decide.js';
import {
  conditionalHeaders,
  createProductBody,
  idParams,
  money,
  patchProductBody,
  productResponse,
  stockAdjustmentBody,
  stockResponse,
  versionResponse,
} from '../../../shared/write-model/products/schemas.js';

interface IdParams {
  id: string;
}
interface StockBody {
  warehouse: string;
  delta: number;
  reason: string;
}

const tags = ['products'];
const security = [{ bearer: [] }];
const answer = answerCommand<ProductSnapshot>;
const idAndVersion = (p: ProductSnapshot) => ({
  status: 200,
  body: { id: p.id, version: p.version },
});

/** The product commands and reads of the admin API (API.md, catalog-write table). */
export function productRoutes(app: FastifyInstance, opts: { pool: Pool }): void {
  const { pool } = opts;
  productListRoute(app, { pool });
  variantRoutes(app, { pool });
  const change = (summary: string, extra: Record<string, unknown> = {}) => ({
    schema: {
      tags,
      security,
      summary,
      params: idParams,
      headers: conditionalHeaders,
      response: withProblems({ 200: versionResponse }),
      ...extra,
    },
  });

  app.post<{ Body: CreateBody }>(
    '/products',
    {
      schema: {
        tags,
        security,
        summary: 'Create a product (draft unless status is given), with its variants if any',
        body: createProductBody,
        headers: conditionalHeaders,
        response: withProblems({ 201: versionResponse }),
      },
      preHandler: refuseConditionalCreate,
    },
    (request, reply) => {
      const command = createCommand(request.body);
      return answer(
        request,
        reply,
        (context) => runProductCommand(pool, command.id, command, context),
        (p) => ({
          status: 201,
          body: { id: p.id, version: p.version },
          headers: { location: `/admin/v1/products/${p.id}` },
        }),
      );
    },
  );

  const simple = (path: string, summary: string, command: ProductCommand) =>
    app.post<{ Params: IdParams }>(path, change(summary), (request, reply) =>
      answer(
        request,
        reply,
        (c) => runProductCommand(pool, request.params.id, command, c),
        idAndVersion,
      ),
    );
  simple('/products/:id/publish', 'Make a product visible on the storefront (needs a price)', {
    type: 'PublishProduct',
  });
  simple('/products/:id/unpublish', 'Take a published product off the storefront', {
    type: 'UnpublishProduct',
  });

  app.patch<{ Params: IdParams; Body: DetailsPatch }>(
    '/products/:id',
    change('Change product details', { body: patchProductBody }),
    (request, reply) =>
      answer(
        request,
        reply,
        (c) =>
          runProductCommand(
            pool,
            request.params.id,
            { type: 'ChangeProductDetails', patch: request.body },
            c,
          ),
        idAndVersion,
      ),
  );

  app.put<{ Params: IdParams; Body: Money }>(
    '/products/:id/price',
    change('Set the price', { body: money }),
    (request, reply) =>
      answer(
        request,
        reply,
        (c) =>
          runProductCommand(pool, request.params.id, { type: 'SetPrice', price: request.body }, c),
        idAndVersion,
      ),
  );

  app.post<{ Params: IdParams; Body: StockBody }>(
    '/products/:id/stock-adjustments',
    change('Adjust stock in one warehouse; stock never goes below zero', {
      body: stockAdjustmentBody,
      response: withProblems({ 200: stockResponse }),
    }),
    (request, reply) =>
      answer(
        request,
        reply,
        (c) =>
          runProductCommand(pool, request.params.id, { type: 'AdjustStock', ...request.body }, c),
        (p) => ({
          status: 200,
          body: { id: p.id, version: p.version, available: p.stock.available },
        }),
      ),
  );

  app.delete<{ Params: IdParams }>('/products/:id', change('Delete a product'), (request, reply) =>
    answer(
      request,
      reply,
      (c) => runProductCommand(pool, request.params.id, { type: 'DeleteProduct' }, c),
      idAndVersion,
    ),
  );

  app.get<{ Params: IdParams }>(
    '/products/:id',
    {
      schema: {
        tags,
        security,
        summary: 'The product as stored (strongly consistent admin view)',
        params: idParams,
        response: withProblems({ 200: productResponse, 304: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      const product = await readProduct(pool, request.params.id);
      const etag = etagOf(product.version);
      void reply.header('etag', etag).header('x-aisle-version', String(product.version));
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return product;
    },
  );
}
