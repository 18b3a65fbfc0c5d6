import { clickhouseFromConfig } from '../../shared/stores/open.js';
import { closeRedis, createRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import type { Pipeline } from './pipeline.js';

/** The version of each store the pipeline runs on; undefined where it cannot be read. */
export async function storeVersions(
  pipeline: Pipeline,
): Promise<Record<string, string | undefined>> {
  const attempt = async (read: () => Promise<string | undefined>) => {
    try {
      return await read();
    } catch {
      return undefined;
    }
  };
  const [postgres, redis, search, clickhouse] = await Promise.all([
    attempt(async () => {
      const { rows } = await pipeline.admin.query<{ server_version: string }>(
        'SHOW server_version',
      );
      return rows[0]?.server_version;
    }),
    attempt(async () => {
      const client = createRedis(pipeline.config.redisUrl, 'command');
      client.on('error', () => undefined);
      try {
        return /redis_version:(\S+)/.exec(await client.info('server'))?.[1];
      } finally {
        await closeRedis(client);
      }
    }),
    attempt(async () => {
      const handle = openSearch(pipeline.config);
      try {
        const info = await handle.client.info();
        return `${info.distribution} ${info.version}`;
      } finally {
        await handle.close();
      }
    }),
    attempt(async () => {
      const ch = clickhouseFromConfig(pipeline.config);
      try {
        const result = await ch.client.query({
          query: 'SELECT version() AS v',
          format: 'JSONEachRow',
        });
        return (await result.json<{ v: string }>())[0]?.v;
      } finally {
        await ch.close();
      }
    }),
  ]);
  return { postgres, redis, search, clickhouse };
}
