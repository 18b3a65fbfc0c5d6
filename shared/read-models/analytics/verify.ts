import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '../../stores/clickhouse.js';
import { list, sql, uuid } from '../../stores/clickhouse-sql.js';
import { drifted, versionDrift, type DriftChecker } from '../drift.js';
import { snapshotRow } from './projection.js';

/** The event type of a row a repair adds: the current snapshot, so max(version) matches. */
export const REPAIR_EVENT_TYPE = 'ProductSnapshotRepaired';

/**
 * The analytics read model against the write model: ClickHouse holds the event log, not a
 * document, so the highest version recorded per product is all there is to compare. Repair
 * appends one row of the current snapshot.
 */
export function analyticsChecker(clickhouse: ClickHouseClient): DriftChecker {
  return {
    async check(products) {
      if (products.length === 0) return new Map();
      const ids = list(products.map((p) => uuid(p.id)));
      const query = sql`SELECT toString(product_id) AS id, max(version) AS version
                  FROM catalog_events FINAL
                 WHERE product_id IN (${ids})
                 GROUP BY product_id`;
      const result = await clickhouse.query({ query: query.text, format: 'JSONEachRow' });
      const versions = new Map(
        (await result.json<{ id: string; version: string }>()).map((r) => [
          r.id.toLowerCase(),
          Number(r.version),
        ]),
      );
      const stored = products.map((p) => versions.get(p.id.toLowerCase()));
      return drifted(products, stored, (p, version) =>
        versionDrift(version, p.version, () => true),
      );
    },
    async repair(products) {
      if (products.length === 0) return 0;
      await clickhouse.insert({
        table: 'catalog_events',
        values: products.map((p) => snapshotRow(p, REPAIR_EVENT_TYPE, randomUUID())),
        format: 'JSONEachRow',
      });
      return products.length;
    },
  };
}
