import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../shared/http/error-schemas.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import { topSearches, zeroResultSearches } from '../../shared/read-models/analytics/queries.js';
import { rankedQuery, topSearchesResponse, zeroResultsResponse } from './schemas.js';
import { resolveWindow, type WindowQuery } from '../../shared/read-models/analytics/window.js';
import { coverageOf, type Coverage } from '../../shared/read-models/merchandising/coverage.js';
import type { MerchandisingView } from '../../shared/read-models/merchandising/view.js';

const tags = ['searches'];
const security = [{ bearer: [] }];

interface RankedQuery extends WindowQuery {
  limit: number;
}

export interface SearchRouteOptions {
  readonly clickhouse: ClickHouseClient;
  /** The merchandising in force now (read model in Redis), to link queries to what covers them. */
  readonly merchandising: () => Promise<MerchandisingView>;
}

/**
 * Storefront search analytics: what shoppers look for, and what they do not find. Each query
 * says what merchandising does for it now (`coverage`): the synonyms that expand it and the
 * rules that apply, so a merchandiser sees which zero-result queries are already taken care of.
 */
export function searchRoutes(app: FastifyInstance, opts: SearchRouteOptions): void {
  const { clickhouse } = opts;
  const withCoverage = async <T extends { query: string }>(
    rows: readonly T[],
  ): Promise<(T & { coverage: Coverage })[]> => {
    const view = await opts.merchandising();
    const now = Date.now();
    return rows.map((row) => ({ ...row, coverage: coverageOf(view, row.query, now) }));
  };

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
    async (request) =>
      withCoverage(
        await topSearches(clickhouse, {
          window: resolveWindow(request.query),
          limit: request.query.limit,
        }),
      ),
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
    async (request) =>
      withCoverage(
        await zeroResultSearches(clickhouse, {
          window: resolveWindow(request.query),
          limit: request.query.limit,
        }),
      ),
  );
}
