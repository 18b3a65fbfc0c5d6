import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../shared/http/error-schemas.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import { catalogChanges } from '../../shared/read-models/analytics/queries.js';
import { changesQuery, changesResponse, type Interval } from './schemas.js';
import {
  resolveWindow,
  windowRules,
  type WindowQuery,
} from '../../shared/read-models/analytics/window.js';

const tags = ['catalog'];
const security = [{ bearer: [] }];

interface ChangesQuery extends WindowQuery {
  interval: Interval;
}

/** Catalog activity: how many changes of each kind the write side committed over time. */
export function catalogRoutes(app: FastifyInstance, opts: { clickhouse: ClickHouseClient }): void {
  const { clickhouse } = opts;

  app.get<{ Querystring: ChangesQuery }>(
    '/catalog/changes',
    {
      schema: {
        tags,
        security,
        summary: 'Change volume by event type per hour or day (buckets without changes omitted)',
        querystring: changesQuery,
        response: withProblems({ 200: changesResponse }),
      },
    },
    (request) => {
      const { interval } = request.query;
      const maxDays = interval === 'hour' ? windowRules.maxHourlyDays : windowRules.maxDays;
      return catalogChanges(
        clickhouse,
        interval,
        resolveWindow(request.query, new Date(), maxDays),
      );
    },
  );
}
