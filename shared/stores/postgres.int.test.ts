import t from 'tap';
import { isolatedConfig, type Teardowns } from '../../test/support/isolation.js';
import { waitFor } from '../../test/support/wait.js';
import { postgresFromConfig } from './open.js';
import { withTransaction, type IsolationLevel, type Pool } from './postgres.js';

async function setup(t: Teardowns): Promise<Pool> {
  const config = isolatedConfig(t);
  const postgres = postgresFromConfig(config, 'test');
  t.teardown(() => postgres.close());
  await postgres.client.query(`CREATE SCHEMA "${config.databaseSchema}"`);
  await postgres.client.query('CREATE TABLE notes (id integer PRIMARY KEY)');
  return postgres.client;
}

const noteIds = async (pool: Pool): Promise<number[]> =>
  (await pool.query<{ id: number }>('SELECT id FROM notes ORDER BY id')).rows.map((r) => r.id);

t.test('When the work resolves, then its writes commit and its result is returned', async (t) => {
  const pool = await setup(t);
  const result = await withTransaction(pool, async (client) => {
    await client.query('INSERT INTO notes VALUES (1), (2)');
    return 'done';
  });
  t.equal(result, 'done');
  t.same(await noteIds(pool), [1, 2]);
  t.equal(pool.totalCount, pool.idleCount, 'the client went back to the pool');
});

t.test('When the work throws, then nothing commits and its own error is rethrown', async (t) => {
  const pool = await setup(t);
  const failure = new Error('the rule refused');
  await t.rejects(
    withTransaction(pool, async (client) => {
      await client.query('INSERT INTO notes VALUES (1)');
      throw failure;
    }),
    failure,
  );
  t.same(await noteIds(pool), []);
  await t.rejects(
    withTransaction(pool, (client) => client.query('INSERT INTO notes VALUES (2), (2)')),
    { code: '23505' },
    'a failing statement rolls back too',
  );
  t.same(await noteIds(pool), []);
  const { rows } = await pool.query<{ open: boolean }>(
    "SELECT count(*) > 0 AS open FROM pg_stat_activity WHERE pid = pg_backend_pid() AND state LIKE 'idle in transaction%'",
  );
  t.equal(rows[0]?.open, false, 'the pooled client is not left inside a transaction');
});

t.test('The isolation level and access mode are the ones asked for', async (t) => {
  const pool = await setup(t);
  const setting = (name: string, options: Parameters<typeof withTransaction>[2]) =>
    withTransaction(
      pool,
      async (client) =>
        (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name],
      options,
    );
  const levels: IsolationLevel[] = ['read committed', 'repeatable read', 'serializable'];
  for (const isolation of levels)
    t.equal(await setting('transaction_isolation', { isolation }), isolation, isolation);
  t.equal(await setting('transaction_isolation', {}), 'read committed', 'the server default');
  t.equal(await setting('transaction_read_only', { readOnly: true }), 'on');
  t.equal(await setting('transaction_read_only', {}), 'off');
  await t.rejects(
    withTransaction(pool, (client) => client.query('INSERT INTO notes VALUES (1)'), {
      readOnly: true,
    }),
    { code: '25006' },
    'a read-only transaction refuses writes',
  );
  t.same(await noteIds(pool), []);
});

t.test('Repeatable read sees one snapshot; read committed sees later commits', async (t) => {
  const pool = await setup(t);
  const twoReads = (isolation: IsolationLevel) =>
    withTransaction(
      pool,
      async (client) => {
        const before = (await client.query('SELECT id FROM notes')).rowCount;
        await pool.query('INSERT INTO notes SELECT coalesce(max(id), 0) + 1 FROM notes');
        const after = (await client.query('SELECT id FROM notes')).rowCount;
        return [before, after];
      },
      { isolation },
    );
  t.same(await twoReads('repeatable read'), [0, 0]);
  t.same(await twoReads('read committed'), [1, 2]);
});

t.test(
  'When the connection is lost mid-transaction, then nothing crashes and the client is not pooled',
  async (t) => {
    const pool = await setup(t);
    const admin = postgresFromConfig(isolatedConfig(t), 'test-admin');
    t.teardown(() => admin.close());
    await t.rejects(
      withTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.client.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
        // The loss may be noticed only at the next statement; that rejection is the work's error.
        await waitFor('the lost connection to refuse a statement', async () => {
          try {
            await client.query('SELECT 1');
            return undefined;
          } catch (error) {
            return error;
          }
        }).then((error) => {
          throw error;
        });
      }),
    );
    t.equal(pool.totalCount, 0, 'the broken client was not put back in the pool');
    t.equal(await withTransaction(pool, async () => 'ok'), 'ok', 'the pool opens a fresh client');
  },
);
