import t from 'tap';
import { loadConfig } from '../../../shared/config/index.js';
import { assertResettable, sharedNamespaces, storeLocations } from './local-stores.js';

const local = {
  databaseUrl: 'postgres://postgres:secret@127.0.0.1:5432/aisle',
  redisUrl: 'redis://localhost:6379',
  searchUrl: 'http://[::1]:9200',
  clickhouseUrl: 'http://LOCALHOST:8123',
};

t.test('Stores on 127.0.0.1, localhost or ::1 are local, and no credential is shown', async (t) => {
  const locations = storeLocations(local);
  t.same(
    locations.map((l) => [l.store, l.where, l.notLocal]),
    [
      ['postgres', '127.0.0.1:5432', undefined],
      ['redis', 'localhost:6379', undefined],
      ['search', '[::1]:9200', undefined],
      ['clickhouse', 'localhost:8123', undefined],
    ],
  );
  t.notMatch(JSON.stringify(locations), 'secret');
  t.equal(
    storeLocations({
      ...local,
      databaseUrl: 'postgres://u@localhost/aisle?host=/run/postgresql',
    })[0]?.notLocal,
    undefined,
    'a Unix socket folder is local',
  );
});

t.test('Any other host is refused, whatever the store', async (t) => {
  const cases = {
    databaseUrl: 'postgres://u:secret@db.example.com:5432/aisle',
    redisUrl: 'rediss://cache.internal:6380',
    searchUrl: 'https://10.0.0.7:9200',
    clickhouseUrl: 'http://127.0.0.2:8123',
  };
  for (const [key, url] of Object.entries(cases)) {
    const found = storeLocations({ ...local, [key]: url }).filter((l) => l.notLocal !== undefined);
    t.equal(found.length, 1, `${key}=${url} is refused`);
    t.match(found[0]?.notLocal, 'is not 127.0.0.1, localhost or ::1');
  }
  t.match(
    storeLocations({
      ...local,
      databaseUrl: 'postgres://u@127.0.0.1/aisle?host=db.example.com',
    })[0],
    { notLocal: /db\.example\.com/ },
    "Postgres' host parameter wins over the URL's host, so it is checked too",
  );
  t.match(
    storeLocations({ ...local, databaseUrl: 'postgres://u@127.0.0.1/aisle?host=' })[0],
    { notLocal: 'its URL names no host' },
    'an empty host parameter leaves the host to the environment (PGHOST): refused',
  );
});

t.test('Namespaces shared with everything else are never dropped whole', async (t) => {
  t.same(sharedNamespaces({ databaseSchema: 'aisle', clickhouseDatabase: 'aisle' }), []);
  t.match(sharedNamespaces({ databaseSchema: 'public', clickhouseDatabase: 'aisle' }), [
    /DATABASE_SCHEMA=public/,
  ]);
  t.match(sharedNamespaces({ databaseSchema: 'aisle', clickhouseDatabase: 'default' }), [
    /CLICKHOUSE_DATABASE=default/,
  ]);
  t.equal(
    sharedNamespaces({ databaseSchema: 'pg_temp_1', clickhouseDatabase: 'system' }).length,
    2,
  );
});

t.test('assertResettable names every reason at once', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u:hunter2hunter2@db.example.com/aisle',
    SEARCH_URL: 'https://search.example.com',
    DATABASE_SCHEMA: 'public',
  });
  t.throws(() => assertResettable(config), {
    message:
      /postgres at db\.example\.com[\s\S]*search at search\.example\.com[\s\S]*DATABASE_SCHEMA=public/,
  });
  t.throws(() => assertResettable(config), { message: /^(?![\s\S]*hunter2)/ }, 'no password');
  t.same(
    assertResettable(loadConfig({})).map((l) => l.store),
    ['postgres', 'redis', 'search', 'clickhouse'],
    'the defaults are local',
  );
});
