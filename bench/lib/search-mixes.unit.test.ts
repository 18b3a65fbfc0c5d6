import t from 'tap';
import { createRandom } from '../../shared/write-model/seed/random.js';
import { buildMixPools, POOL_SIZE, withTypo, zipfRanks } from './search-mixes.js';
import { parseSearchOptions } from './search-options.js';

const params = (path: string) => new URLSearchParams(path.split('?')[1] ?? '');

t.test('pools: one list per mix, the same for a seed whichever mixes are chosen', async (t) => {
  const all = buildMixPools(42, 300, ['uniform', 'zipf', 'browse', 'filters']);
  t.strictSame(
    all.map((p) => [p.name, p.paths.length]),
    [
      ['uniform', POOL_SIZE],
      ['zipf', POOL_SIZE],
      ['browse', POOL_SIZE],
      ['filters', POOL_SIZE],
    ],
  );
  const [alone] = buildMixPools(42, 300, ['browse']);
  // Joined: tap's deep comparison of 20,000-item arrays is slow.
  const joined = (paths: readonly string[] | undefined) => (paths ?? []).join('\n');
  t.equal(joined(alone?.paths), joined(all[2]?.paths), 'browse does not depend on the other mixes');
  t.not(joined(buildMixPools(7, 300, ['browse'])[0]?.paths), joined(alone?.paths), 'seeded');
});

t.test('mixes: what each one sends', async (t) => {
  const [uniform, zipf, browse, filters] = buildMixPools(42, 300, [
    'uniform',
    'zipf',
    'browse',
    'filters',
  ]);
  t.ok(
    uniform?.paths.every((p) => [...params(p).keys()].join() === 'q'),
    'uniform: text only',
  );
  const words = uniform?.paths.map((p) => (params(p).get('q') ?? '').split(' ').length) ?? [];
  t.ok(words.includes(1) && words.includes(2), 'words and word pairs');
  t.ok(browse?.paths.every((p) => params(p).has('category') && !params(p).has('q')));
  t.ok(
    filters?.paths.every((p) => params(p).has('brand') && params(p).has('attr.color')),
    'filters: brand and colour always',
  );
  const distinct = new Set(zipf?.paths).size;
  t.ok(distinct < 5000 && distinct > 500, `zipf repeats requests (${distinct} distinct)`);
});

t.test('zipf ranks: the first is about 1/H(n) of the draws, the tail is long', async (t) => {
  const ranks = zipfRanks(createRandom(1), 5000, 1, 50_000);
  const first = ranks.filter((r) => r === 0).length / ranks.length;
  t.ok(Math.abs(first - 0.11) < 0.01, `rank 0 share ${first.toFixed(3)}`);
  const top100 = ranks.filter((r) => r < 100).length / ranks.length;
  t.ok(Math.abs(top100 - 0.57) < 0.02, `top 100 share ${top100.toFixed(3)}`);
  t.ok(Math.max(...ranks) > 4000, 'rare requests are drawn too');
});

t.test('typo: two neighbouring letters of the longest word swap', async (t) => {
  const typed = withTypo(createRandom(3), 'merino sweater');
  t.equal(typed.split(' ')[0], 'merino');
  t.not(typed, 'merino sweater');
  t.same([...(typed.split(' ')[1] ?? '')].sort(), [...'sweater'].sort(), 'same letters');
  t.equal(withTypo(createRandom(3), 'red'), 'red', 'too short to change');
});

t.test('options: defaults, lists, and what is refused', async (t) => {
  const defaults = parseSearchOptions([]);
  t.match(defaults, {
    products: 100_000,
    connections: [1, 32],
    durationMs: 10_000,
    warmupMs: 2000,
    mixes: ['uniform', 'zipf', 'browse', 'filters'],
    reuse: false,
  });
  t.match(parseSearchOptions(['--mixes', 'zipf,browse', '--connections', '8', '--warmup', '0']), {
    mixes: ['zipf', 'browse'],
    connections: [8],
    warmupMs: 0,
  });
  t.throws(() => parseSearchOptions(['--mixes', 'nope']), /unknown mix/);
  t.throws(() => parseSearchOptions(['--drop']), /--reuse/);
  t.throws(() => parseSearchOptions(['--duration', '500ms']), /at least 1s/);
  t.equal(parseSearchOptions(['--help']), 'help');
  t.equal(defaults === 'help' ? 0 : defaults.deadlineMs, undefined, 'the services own deadline');
  t.match(parseSearchOptions(['--deadline', '10s']), { deadlineMs: 10_000 });
});
