/**
 * The CRUD baseline as an HTTP service: GET /v1/search over the write model's Postgres tables,
 * on the same server base as every Aisle service (problem+json errors, health, metrics, Ajv
 * validation with query-string coercion), so the comparison measures the search design, not a
 * leaner HTTP stack.
 */
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { Problem } from '../../shared/http/problems.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { baselineQuerystring, parseBaselineRequest, type BaselineQuerystring } from './params.js';
import { baselineResponseSchema, mapSearchRow, type SearchRow } from './response.js';
import { buildSearchSql } from './sql.js';

export interface BaselinePoolOptions {
  readonly url: string;
  readonly schema: string;
  readonly poolMax: number;
  /**
   * The request path's deadline (STORE_REQUEST_TIMEOUT_MS, as catalog-read uses for its
   * engine): the longest wait for a pooled connection, and the statement timeout.
   */
  readonly deadlineMs: number;
}

/**
 * Memory per sort or hash before it spills to disk: the facet joins of a browse over 100k
 * products hash a few hundred thousand attribute rows, which the server's 4MB default spills.
 */
const WORK_MEM = '32MB';

/** Postgres's code for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * A pool whose sessions resolve names in the catalog schema, stop a statement at the deadline,
 * have room to hash the facet joins in memory, and run without JIT: the search statement is run
 * often, so compiling it costs more than it saves (the usual setting for OLTP-style queries).
 */
export function openBaselinePool(options: BaselinePoolOptions): StoreHandle<Pool> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    // Named after its schema, so that a bench can see its statements (search-drain.ts).
    application_name: `baseline-search:${options.schema}`,
    options: [
      `-c search_path=${options.schema}`,
      '-c jit=off',
      `-c work_mem=${WORK_MEM}`,
      `-c statement_timeout=${options.deadlineMs}`,
    ].join(' '),
    connectionTimeoutMillis: options.deadlineMs,
  });
  pool.on('error', () => undefined);
  return {
    name: 'postgres',
    client: pool,
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

export interface BaselineDeps {
  readonly logger: Logger;
  readonly postgres: StoreHandle<Pool>;
  readonly bodyLimitBytes: number;
  readonly readinessTimeoutMs: number;
}

export async function buildBaselineApp(deps: BaselineDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'baseline-search',
    description: 'CRUD baseline: storefront search with joins and Postgres full-text search.',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
    readinessTimeoutMs: deps.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.postgres, decorator: 'pg' });
  const pool = deps.postgres.client;
  app.get<{ Querystring: BaselineQuerystring }>(
    '/v1/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search, filters and disjunctive facets in one SQL statement',
        querystring: baselineQuerystring,
        response: { 200: baselineResponseSchema, '4xx': { $ref: 'Problem#' } },
      },
    },
    async (request) => {
      const parsed = parseBaselineRequest(request.query);
      const statement = buildSearchSql(parsed);
      const { rows } = await pool
        .query<SearchRow>(statement.text, [...statement.values])
        .catch((error: unknown) => {
          // Past the deadline, as a slow search engine is for catalog-read: a prompt 503.
          if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error;
          throw new Problem('unavailable', 'search took longer than its deadline', undefined, {
            'retry-after': '1',
          });
        });
      const row = rows[0];
      if (row === undefined) throw new Error('the search statement returned no row');
      return mapSearchRow(row, parsed);
    },
  );
  return app;
}
