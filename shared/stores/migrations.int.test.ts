import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { isolatedConfig } from '../../test/support/isolation.js';
import { migrate } from './migrations.js';
import { postgresMigrationsDir } from './migrations-dir.js';
import { postgresFromConfig } from './open.js';

t.test('When migrations run twice, then each applies once and the outbox exists', async (t) => {
  const config = isolatedConfig(t);
  const postgres = postgresFromConfig(config, 'test');
  t.teardown(() => postgres.close());

  const first = await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
  t.same(first.applied.slice(0, 2), ['0001_outbox', '0002_catalog']);
  const second = await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
  t.same(second.applied, []);
  t.equal(second.alreadyApplied, first.applied.length);

  const { rows } = await postgres.client.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
    [config.databaseSchema],
  );
  t.same(
    rows.map((r) => r.table_name),
    [
      'categories',
      'idempotency_keys',
      'import_rejections',
      'imports',
      'outbox',
      'product_attributes',
      'product_options',
      'product_prices',
      'product_variants',
      'products',
      'schema_migrations',
      'search_rules',
      'sku_registry',
      'stock_levels',
      'synonym_sets',
      'variant_attributes',
      'variant_prices',
      'variant_stock_levels',
    ],
  );
});

t.test(
  'When several instances migrate at once, then every migration applies exactly once',
  async (t) => {
    const config = isolatedConfig(t);
    const pools = [1, 2, 3].map(() => postgresFromConfig(config, 'test'));
    t.teardown(() => Promise.all(pools.map((p) => p.close())));
    const reports = await Promise.all(
      pools.map((p) => migrate(p.client, config.databaseSchema, postgresMigrationsDir)),
    );
    const appliedCount = reports.reduce((sum, r) => sum + r.applied.length, 0);
    const { rows } = await pools[0]!.client.query<{ count: string }>(
      'SELECT count(*) FROM schema_migrations',
    );
    t.equal(appliedCount, Number(rows[0]?.count));
  },
);

t.test('When an applied migration file is edited, then migrate refuses', async (t) => {
  const config = isolatedConfig(t);
  const postgres = postgresFromConfig(config, 'test');
  t.teardown(() => postgres.close());
  const dir = await mkdtemp(join(tmpdir(), 'aisle-migrations-'));
  await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE first (id int);');
  await migrate(postgres.client, config.databaseSchema, dir);
  await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE first (id bigint);');
  await t.rejects(
    migrate(postgres.client, config.databaseSchema, dir),
    /changed after it was applied/,
  );
});

t.test('When a migration fails, then nothing of the batch is applied', async (t) => {
  const config = isolatedConfig(t);
  const postgres = postgresFromConfig(config, 'test');
  t.teardown(() => postgres.close());
  const dir = await mkdtemp(join(tmpdir(), 'aisle-migrations-'));
  await writeFile(join(dir, '0001_good.sql'), 'CREATE TABLE good (id int);');
  await writeFile(join(dir, '0002_bad.sql'), 'CREATE TABLE bad (id nonsense_type);');
  await t.rejects(migrate(postgres.client, config.databaseSchema, dir), /nonsense_type/);
  const { rows } = await postgres.client.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'good'",
    [config.databaseSchema],
  );
  t.equal(rows.length, 0);
});

t.test(
  'When an outbox row commits, then listeners on the schema channel are notified',
  async (t) => {
    const config = isolatedConfig(t);
    const postgres = postgresFromConfig(config, 'test');
    t.teardown(() => postgres.close());
    await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);

    const listener = new pg.Client({ connectionString: config.databaseUrl });
    await listener.connect();
    t.teardown(() => listener.end());
    const notified = new Promise<string>((resolve) =>
      listener.on('notification', (n) => resolve(n.channel)),
    );
    await listener.query(`LISTEN "${config.databaseSchema}.outbox"`);

    await postgres.client.query(
      `INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, aggregate_version, payload)
     VALUES (gen_random_uuid(), 'ProductCreated', 'product', gen_random_uuid(), 1, '{}')`,
    );
    t.equal(await notified, `${config.databaseSchema}.outbox`);
  },
);

t.test('The pool resolves names in its own schema and pings', async (t) => {
  const config = isolatedConfig(t);
  const postgres = postgresFromConfig(config, 'test');
  t.teardown(() => postgres.close());
  await postgres.ping();
  const { rows } = await postgres.client.query<{ search_path: string }>('SHOW search_path');
  t.equal(rows[0]?.search_path, config.databaseSchema);
});
