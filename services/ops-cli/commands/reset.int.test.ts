import t, { type Test } from 'tap';
import { memoryOutput } from '../../../shared/cli/output.js';
import type { Config } from '../../../shared/config/index.js';
import { bootstrapClickHouse } from '../../../shared/read-models/analytics/tables.js';
import { bootstrapSearch } from '../../../shared/read-models/search/index-setup.js';
import { createClickHouse } from '../../../shared/stores/clickhouse.js';
import { migrate } from '../../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../../shared/stores/migrations-dir.js';
import { clickhouseOptions, postgresFromConfig } from '../../../shared/stores/open.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { closeRedis, createRedis } from '../../../shared/stores/redis.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { parseResetArgs, runReset } from './reset.js';

/** What one namespace holds in the four stores, read straight from them. */
interface Holdings {
  readonly postgresTables: number;
  readonly redisKeys: number;
  readonly searchIndices: readonly string[];
  readonly searchAlias: boolean;
  readonly searchTemplate: boolean;
  readonly clickhouseTables: number;
}

async function searchJson(config: Config, path: string): Promise<unknown> {
  const res = await fetch(new URL(path, config.searchUrl));
  return res.status === 404 ? undefined : res.json();
}

async function holdings(config: Config): Promise<Holdings> {
  const postgres = postgresFromConfig(config, 'test');
  const redis = createRedis(config.redisUrl, 'command');
  // Connected to system: the namespace's own database may be gone.
  const clickhouse = createClickHouse({ ...clickhouseOptions(config), database: 'system' });
  try {
    const { rows } = await postgres.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1`,
      [config.databaseSchema],
    );
    const keys = await redis.keys(`${config.redisKeyPrefix}:*`);
    const prefix = config.searchIndexPrefix;
    const indices = (await searchJson(config, `_cat/indices/${prefix}-*?format=json&h=index`)) as
      { index: string }[] | undefined;
    const alias = await searchJson(config, `_alias/${prefix}-products`);
    const template = await searchJson(config, `_index_template/${prefix}-products`);
    const tables = await (
      await clickhouse.query({
        query: `SELECT count() AS n FROM system.tables WHERE database = '${config.clickhouseDatabase}'`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string }>();
    return {
      postgresTables: Number(rows[0]?.n),
      redisKeys: keys.length,
      searchIndices: (indices ?? []).map((i) => i.index).sort(),
      searchAlias: alias !== undefined,
      searchTemplate: template !== undefined,
      clickhouseTables: Number(tables[0]?.n),
    };
  } finally {
    await postgres.close();
    await closeRedis(redis);
    await clickhouse.close();
  }
}

/** Everything Aisle creates at start-up, plus a queued job and a read-model key. */
async function populate(config: Config): Promise<void> {
  const postgres = postgresFromConfig(config, 'test');
  await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir).finally(() =>
    postgres.close(),
  );
  const search = openSearch(config);
  await bootstrapSearch(search.client, config.searchIndexPrefix).finally(() => search.close());
  await bootstrapClickHouse(clickhouseOptions(config));
  const queues = openQueues(config.redisUrl, config.redisKeyPrefix, ['search', 'detail']);
  try {
    await queues.client.search?.add('event', { eventId: 'e1' });
    await queues.client.detail?.add('event', { eventId: 'e1' });
  } finally {
    await queues.close();
  }
  const redis = createRedis(config.redisUrl, 'command');
  await redis
    .hset(`${config.redisKeyPrefix}:projection:search:last-applied`, { eventId: 'e1' })
    .finally(() => closeRedis(redis));
}

function expectPopulated(t: Test, found: Holdings, config: Config, what: string): void {
  t.ok(found.postgresTables >= 5, `${what}: postgres tables (${found.postgresTables})`);
  t.ok(found.redisKeys >= 3, `${what}: redis keys (${found.redisKeys})`);
  t.ok(
    found.searchIndices.includes(`${config.searchIndexPrefix}-products-000001`),
    `${what}: index`,
  );
  t.ok(found.searchAlias && found.searchTemplate, `${what}: alias and template`);
  t.ok(found.clickhouseTables >= 2, `${what}: clickhouse tables (${found.clickhouseTables})`);
}

t.test('reset drops everything of its namespace and nothing else', async (t) => {
  const config = isolatedConfig(t);
  const neighbour = isolatedConfig(t);
  await Promise.all([populate(config), populate(neighbour)]);
  // Names that merely start like ours are someone else's.
  const lookalikeIndex = `${config.searchIndexPrefix}-notes`;
  const lookalikeKey = `${config.redisKeyPrefix}x:keep`;
  const search = openSearch(config);
  const redis = createRedis(config.redisUrl, 'command');
  t.teardown(async () => {
    await search.client.deleteIndices(lookalikeIndex);
    await search.close();
    await redis.del(lookalikeKey);
    await closeRedis(redis);
  });
  await search.client.createIndex(lookalikeIndex);
  await redis.set(lookalikeKey, '1');
  const before = await holdings(config);
  expectPopulated(t, before, config, 'before');

  t.test('without --yes it refuses, says what it would drop, and touches nothing', async (t) => {
    t.same(parseResetArgs([]), { yes: false });
    await t.rejects(runReset(config, parseResetArgs([]), memoryOutput()), {
      message: new RegExp(
        `schema ${config.databaseSchema}[\\s\\S]*${config.redisKeyPrefix}:[\\s\\S]*--yes`,
      ),
    });
    t.same(await holdings(config), before);
  });

  t.test('a store that is not local is refused before any store is touched', async (t) => {
    for (const remote of [
      { databaseUrl: 'postgres://postgres@db.example.com:5432/aisle' },
      { searchUrl: 'https://search.example.com:9200' },
      { redisUrl: 'redis://10.1.2.3:6379' },
    ]) {
      await t.rejects(runReset({ ...config, ...remote }, { yes: true }, memoryOutput()), {
        message: /refusing to reset[\s\S]*is not 127\.0\.0\.1, localhost or ::1/,
      });
    }
    t.same(await holdings(config), before, 'the local stores still hold everything');
  });

  t.test('with --yes everything Aisle created is gone, with a summary', async (t) => {
    const output = memoryOutput();
    const report = await runReset(config, parseResetArgs(['--yes']), output);
    t.same(report.failures, []);
    t.same(await holdings(config), {
      postgresTables: 0,
      redisKeys: 0,
      searchIndices: [lookalikeIndex],
      searchAlias: false,
      searchTemplate: false,
      clickhouseTables: 0,
    });
    t.match(report, {
      postgres: { existed: true, tables: before.postgresTables },
      redis: { keys: before.redisKeys, queues: ['projection-detail', 'projection-search'] },
      search: {
        indices: [`${config.searchIndexPrefix}-products-000001`],
        aliases: [`${config.searchIndexPrefix}-products`],
        templates: [`${config.searchIndexPrefix}-products`],
      },
      clickhouse: { existed: true, tables: before.clickhouseTables },
    });
    t.match(output.text(), /^reset: done\n {2}postgres {4}schema t[0-9a-f]+ dropped: \d+ tables/);
    t.match(output.text(), /2 BullMQ queues \(projection-detail, projection-search\)/);
    t.match(output.text(), /1 index \(t[0-9a-f]+-products-000001\), 1 alias, 1 template deleted/);
    t.match(
      output.progressLines.join('\n'),
      /dropping schema[\s\S]*keys under[\s\S]*deleting index/,
    );
    t.equal(await redis.get(lookalikeKey), '1', 'a key of another prefix is kept');
    const postgres = postgresFromConfig(config, 'test');
    const { rows } = await postgres.client
      .query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [config.databaseSchema])
      .finally(() => postgres.close());
    t.equal(rows.length, 0, 'the schema itself is gone');
  });

  t.test('the neighbour namespace is untouched', async (t) => {
    expectPopulated(t, await holdings(neighbour), neighbour, 'neighbour');
  });

  t.test('a second reset finds nothing and says so', async (t) => {
    const output = memoryOutput();
    const report = await runReset(config, { yes: true }, output);
    t.same(report.failures, []);
    t.match(output.text(), /schema t[0-9a-f]+: not there/);
    t.match(output.text(), /0 keys under/);
    t.match(output.text(), /0 indices, 0 aliases, 0 templates deleted/);
    t.match(output.text(), /database t[0-9a-f]+: not there/);
  });
});
