import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { projectRoot } from '../paths.js';
import { ConfigError, configTable, loadConfig, settings } from './index.js';

t.test('When nothing is set, then every default matches the local stores', async (t) => {
  const config = loadConfig({});
  t.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/aisle');
  t.equal(config.redisUrl, 'redis://127.0.0.1:6379');
  t.equal(config.searchEngine, 'opensearch');
  t.equal(config.searchUrl, 'http://127.0.0.1:9200');
  t.equal(config.clickhouseUrl, 'http://127.0.0.1:8123');
  t.equal(config.catalogReadPort, 3000);
  t.equal(config.catalogWritePort, 3001);
  t.equal(config.analyticsApiPort, 3002);
  t.equal(config.migrateOnStart, true);
  t.equal(config.adminTokens, undefined);
});

t.test('When values are set, then they are parsed to their types', async (t) => {
  const config = loadConfig({
    SEARCH_ENGINE: 'elasticsearch',
    CATALOG_READ_PORT: '8080',
    MIGRATE_ON_START: 'false',
    ADMIN_TOKENS: ' first-token-0123456789 , second-token-012345678 ',
  });
  t.equal(config.searchEngine, 'elasticsearch');
  t.equal(config.catalogReadPort, 8080);
  t.equal(config.migrateOnStart, false);
  t.same(config.adminTokens, ['first-token-0123456789', 'second-token-012345678']);
});

t.test('When several values are wrong, then one error names every variable at fault', async (t) => {
  const error = t.throws(() =>
    loadConfig({ SEARCH_ENGINE: 'solr', CATALOG_READ_PORT: '70000', DATABASE_URL: 'mysql://x/y' }),
  ) as ConfigError;
  t.type(error, ConfigError);
  t.equal(error.problems.length, 3);
  t.match(error.message, /SEARCH_ENGINE must be one of: opensearch, elasticsearch \(got "solr"\)/);
  t.match(error.message, /CATALOG_READ_PORT must be between 0 and 65535/);
  t.match(error.message, /DATABASE_URL must use postgres or postgresql/);
});

t.test('When a secret is invalid, then its value is not echoed', async (t) => {
  const error = t.throws(() => loadConfig({ ADMIN_TOKENS: 'short-secret' })) as ConfigError;
  t.match(error.message, /ADMIN_TOKENS every token must be at least 16 characters/);
  t.notMatch(error.message, /short-secret/);
  const badUrl = t.throws(() => loadConfig({ DATABASE_URL: 'nonsense:pa55word' })) as ConfigError;
  t.notMatch(badUrl.message, /pa55word/);
});

t.test('When a required setting is missing, then the error names it', async (t) => {
  const error = t.throws(() => loadConfig({}, { require: ['adminTokens'] })) as ConfigError;
  t.match(error.message, /ADMIN_TOKENS is required/);
  t.ok(loadConfig({ ADMIN_TOKENS: 'a-long-enough-token-123' }, { require: ['adminTokens'] }));
});

t.test('When identifiers are used in SQL or key names, then unsafe ones are refused', async (t) => {
  t.throws(() => loadConfig({ DATABASE_SCHEMA: 'aisle; DROP TABLE x' }), /DATABASE_SCHEMA/);
  t.throws(() => loadConfig({ CLICKHOUSE_DATABASE: "x' OR 1=1" }), /CLICKHOUSE_DATABASE/);
  t.throws(() => loadConfig({ SEARCH_INDEX_PREFIX: 'Upper/Case' }), /SEARCH_INDEX_PREFIX/);
});

t.test('The configuration table lists every variable', async (t) => {
  const table = configTable();
  for (const spec of Object.values(settings)) t.match(table, `\`${spec.env}\``);
});

t.test('The README shows exactly the generated configuration table', async (t) => {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
  const between = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
  t.equal(between?.[1], configTable(), 'regenerate with: npm run aisle -- config');
});
