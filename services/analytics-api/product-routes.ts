import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../shared/http/error-schemas.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import {
  priceHistory,
  stockHistory,
  topProducts,
} from '../../shared/read-models/analytics/queries.js';
import {
  historyQuery,
  priceHistoryResponse,
  productIdParams,
  stockHistoryResponse,
  topProductsQuery,
  topProductsResponse,
  type ProductMetric,
} from './schemas.js';
import { resolveWindow, type WindowQuery } from '../../shared/read-models/analytics/window.js';

const tags = ['products'];
const security = [{ bearer: [] }];

interface TopQuery extends WindowQuery {
  metric: ProductMetric;
  limit: number;
}
interface IdParams {
  id: string;
}
interface HistoryQuery extends WindowQuery {
  variantId?: string;
}

/** The history filter of a request: ids in their canonical lower case. */
const historyFilter = (request: { params: IdParams; query: HistoryQuery }) => ({
  productId: request.params.id.toLowerCase(),
  window: resolveWindow(request.query),
  ...(request.query.variantId === undefined
    ? {}
    : { variantId: request.query.variantId.toLowerCase() }),
});

/** Product analytics: what is viewed most, and each product's price and stock history. */
export function productRoutes(app: FastifyInstance, opts: { clickhouse: ClickHouseClient }): void {
  const { clickhouse } = opts;

  app.get<{ Querystring: TopQuery }>(
    '/products/top',
    {
      schema: {
        tags,
        security,
        summary: 'Most viewed products in a window, by views recorded (each counted once)',
        querystring: topProductsQuery,
        response: withProblems({ 200: topProductsResponse }),
      },
    },
    (request) => {
      const { metric, limit } = request.query;
      return topProducts(clickhouse, metric, { window: resolveWindow(request.query), limit });
    },
  );

  app.get<{ Params: IdParams; Querystring: HistoryQuery }>(
    '/products/:id/price-history',
    {
      schema: {
        tags,
        security,
        summary:
          'Every price a product and its variants had in a window (creation with a price, variant added, price changes)',
        params: productIdParams,
        querystring: historyQuery,
        response: withProblems({ 200: priceHistoryResponse }),
      },
    },
    (request) => priceHistory(clickhouse, historyFilter(request)),
  );

  app.get<{ Params: IdParams; Querystring: HistoryQuery }>(
    '/products/:id/stock-history',
    {
      schema: {
        tags,
        security,
        summary:
          'Every stock movement of a product and its variants in a window, with warehouse and reason',
        params: productIdParams,
        querystring: historyQuery,
        response: withProblems({ 200: stockHistoryResponse }),
      },
    },
    (request) => stockHistory(clickhouse, historyFilter(request)),
  );
}
