import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { Config } from '../../shared/config/index.js';
import { mapLimit } from '../../shared/map-limit.js';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import { productIndexNames } from '../../shared/read-models/search/index-setup.js';
import { uuidLiteral } from '../../shared/stores/clickhouse-sql.js';
import { clickhouseOptions } from '../../shared/stores/open.js';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';

export const readModels = ['search', 'detail', 'analytics'] as const;
export type ReadModel = (typeof readModels)[number];

/** Each read model's current version of each product (0 when it has none). */
export type VersionsOf = (
  ids: readonly string[],
) => Promise<Record<ReadModel, Map<string, number>>>;

export interface ReadModelProbe {
  readonly versionsOf: VersionsOf;
  close(): Promise<void>;
}

/** Reads the read models straight from the real stores, never through the campaign's proxies. */
export function openReadModelProbe(direct: Config): ReadModelProbe {
  const redis = openRedis(direct.redisUrl);
  const search = openSearch(direct);
  // Polled every 250 ms, also while a restarted ClickHouse is away: a failed poll is just tried
  // again, so the client's own error log (one line per refused request) is kept quiet.
  const { url, username, password, database } = clickhouseOptions(direct);
  const clickhouse = createClient({
    url,
    username,
    password: password ?? '',
    database,
    log: { level: ClickHouseLogLevel.OFF },
  });
  const alias = productIndexNames(direct.searchIndexPrefix).alias;

  const detail = async (ids: readonly string[]) => {
    const pipeline = redis.client.pipeline();
    for (const id of ids) pipeline.hget(detailKeys.product(direct.redisKeyPrefix, id), 'version');
    const results = (await pipeline.exec()) ?? [];
    return new Map(ids.map((id, i) => [id, Number(results[i]?.[1] ?? 0)]));
  };
  const searchVersions = async (ids: readonly string[]) => {
    const docs = await mapLimit(ids, 8, (id) => search.client.getDocument(alias, id));
    return new Map(ids.map((id, i) => [id, docs[i]?.version ?? 0]));
  };
  const analytics = async (ids: readonly string[]) => {
    const found = new Map<string, number>(ids.map((id) => [id, 0]));
    for (let start = 0; start < ids.length; start += 500) {
      const chunk = ids.slice(start, start + 500);
      const result = await clickhouse.query({
        query: `SELECT toString(product_id) AS id, max(version) AS v FROM catalog_events
                 WHERE product_id IN (${chunk.map(uuidLiteral).join(',')}) GROUP BY product_id`,
        format: 'JSONEachRow',
      });
      for (const row of await result.json<{ id: string; v: string | number }>()) {
        found.set(row.id, Number(row.v));
      }
    }
    return found;
  };
  return {
    versionsOf: async (ids) => {
      const [s, d, a] = await Promise.all([searchVersions(ids), detail(ids), analytics(ids)]);
      return { search: s, detail: d, analytics: a };
    },
    close: async () => {
      await Promise.all([redis.close(), search.close(), clickhouse.close()]);
    },
  };
}
