import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../shared/http/error-schemas.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import {
  priceHistory,
  stockHistory,
  topProducts,
} from '../../shared/read-models/analytics/queries.js';
import {
  priceHistoryResponse,
  productIdParams,
  stockHistoryResponse,
  topProductsQuery,
  topProductsResponse,
  windowQuery,
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

/** Product analytics: what is viewed most, and each product's price and stock history. */
export function productRoutes(app: FastifyInstance, opts: { clickhouse: ClickHouseClient }): void {
  const { clickhouse } = opts;

  app.get<{ Querystring: TopQuery }>(
    '/products/top',
    {
      schema: {
        tags,
        security,
        summary: 'Most viewed products in a window, by distinct view events',
        querystring: topProductsQuery,
        response: withProblems({ 200: topProductsResponse }),
      },
    },
    (request) => {
      const { metric, limit } = request.query;
      return topProducts(clickhouse, metric, { window: resolveWindow(request.query), limit });
    },
  );

  app.get<{ Params: IdParams; Querystring: WindowQuery }>(
    '/products/:id/price-history',
    {
      schema: {
        tags,
        security,
        summary: 'Every price a product had in a window (creation with a price, price changes)',
        params: productIdParams,
        querystring: windowQuery,
        response: withProblems({ 200: priceHistoryResponse }),
      },
    },
    (request) =>
      priceHistory(clickhouse, request.params.id.toLowerCase(), resolveWindow(request.query)),
  );

  app.get<{ Params: IdParams; Querystring: WindowQuery }>(
    '/products/:id/stock-history',
    {
      schema: {
        tags,
        security,
        summary: 'Every stock movement of a product in a window, with warehouse and reason',
        params: productIdParams,
        querystring: windowQuery,
        response: withProblems({ 200: stockHistoryResponse }),
      },
    },
    (request) =>
      stockHistory(clickhouse, request.params.id.toLowerCase(), resolveWindow(request.query)),
  );
}
