import t from 'tap';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { bootstrapSearch, productIndexNames } from '../../read-models/search/index-setup.js';
import { openSearch } from './open.js';

const config = isolatedConfig(t);
const search = openSearch(config);
t.teardown(() => search.close());
const engine = search.client;
const names = productIndexNames(config.searchIndexPrefix);

t.test('The configured engine answers with a version and a usable cluster', async (t) => {
  const info = await engine.info();
  t.match(info.version, /^\d+\.\d+\.\d+/);
  await search.ping();
});

t.test('When bootstrap runs, then the alias points at the first index', async (t) => {
  const report = await bootstrapSearch(engine, config.searchIndexPrefix);
  t.same(report, { alias: names.alias, index: names.indexFor(1), created: true });
  t.same(await engine.aliasTargets(names.alias), [names.indexFor(1)]);
});

t.test('When bootstrap runs again or concurrently, then nothing new is created', async (t) => {
  const reports = await Promise.all(
    [1, 2, 3].map(() => bootstrapSearch(engine, config.searchIndexPrefix)),
  );
  for (const report of reports)
    t.same(report, { alias: names.alias, index: names.indexFor(1), created: false });
  t.same(await engine.aliasTargets(names.alias), [names.indexFor(1)]);
});

t.test('When the index already exists, then createIndex says so', async (t) => {
  t.equal(await engine.createIndex(names.indexFor(1)), 'exists');
});

t.test('When the alias moves, then it points at exactly the new index', async (t) => {
  t.equal(await engine.createIndex(names.indexFor(2)), 'created');
  await engine.updateAliases([
    { add: { index: names.indexFor(2), alias: names.alias } },
    { remove: { index: names.indexFor(1), alias: names.alias } },
  ]);
  t.same(await engine.aliasTargets(names.alias), [names.indexFor(2)]);
  t.same(await engine.aliasTargets(`${config.searchIndexPrefix}-missing`), []);
});

t.test(
  'Concurrent bootstrap from an empty cluster still yields one index behind the alias',
  async (t) => {
    const other = isolatedConfig(t);
    const reports = await Promise.all(
      [1, 2, 3, 4].map(() => bootstrapSearch(engine, other.searchIndexPrefix)),
    );
    const otherNames = productIndexNames(other.searchIndexPrefix);
    t.ok(reports.every((r) => r.index === otherNames.indexFor(1)));
    t.same(await engine.aliasTargets(otherNames.alias), [otherNames.indexFor(1)]);
  },
);
