import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../shared/http/error-schemas.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import { topSearches, zeroResultSearches } from '../../shared/read-models/analytics/queries.js';
import { rankedQuery, topSearchesResponse, zeroResultsResponse } from './schemas.js';
import { resolveWindow, type WindowQuery } from '../../shared/read-models/analytics/window.js';

const tags = ['searches'];
const security = [{ bearer: [] }];

interface RankedQuery extends WindowQuery {
  limit: number;
}

/** Storefront search analytics: what shoppers look for, and what they do not find. */
export function searchRoutes(app: FastifyInstance, opts: { clickhouse: ClickHouseClient }): void {
  const { clickhouse } = opts;

  app.get<{ Querystring: RankedQuery }>(
    '/searches/top',
    {
      schema: {
        tags,
        security,
        summary: 'Most frequent normalized queries in a window, with their mean result count',
        querystring: rankedQuery,
        response: withProblems({ 200: topSearchesResponse }),
      },
    },
    (request) =>
      topSearches(clickhouse, {
        window: resolveWindow(request.query),
        limit: request.query.limit,
      }),
  );

  app.get<{ Querystring: RankedQuery }>(
    '/searches/zero-results',
    {
      schema: {
        tags,
        security,
        summary: 'Normalized queries that found nothing, most frequent first',
        querystring: rankedQuery,
        response: withProblems({ 200: zeroResultsResponse }),
      },
    },
    (request) =>
      zeroResultSearches(clickhouse, {
        window: resolveWindow(request.query),
        limit: request.query.limit,
      }),
  );
}
