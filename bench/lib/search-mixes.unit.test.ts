import { createHash } from 'node:crypto';
import t from 'tap';
import { createRandom } from '../../shared/write-model/seed/random.js';
import {
  generateCatalogProduct,
  hasVariants,
} from '../../shared/write-model/seed/seed-variants.js';
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

t.test('without variants the four mixes are the requests they were before variants', async (t) => {
  const hash = createHash('sha256');
  for (const p of buildMixPools(42, 300, ['uniform', 'zipf', 'browse', 'filters'])) {
    hash.update(`${p.name}\n${p.paths.join('\n')}\n`);
  }
  // Taken from the pools before --variant-share existed: a run without it measures the same list.
  t.equal(hash.digest('hex'), '450d8f15c7b42cf938b2e0f5c0c8b80262cef1c877c4ac5bf3c91eec8813c0be');
});

t.test('variants mix: one real variant of a published product meets all its filters', async (t) => {
  const [variants, filters] = buildMixPools(42, 2000, ['variants', 'filters'], 0.5);
  const byId = new Map(
    Array.from({ length: 2000 }, (_, i) => generateCatalogProduct(42, i, { variantShare: 0.5 }))
      .filter((p) => p.status === 'published')
      .map((p) => [p.id, p]),
  );
  const all = [...byId.values()];
  let priced = 0;
  let stocked = 0;
  let twoOptions = 0;
  const unmatched: string[] = [];
  for (const path of variants?.paths ?? []) {
    const q = params(path);
    const options = [...q.keys()].filter((k) => k.startsWith('attr.'));
    if (q.has('price_min')) priced += 1;
    if (q.has('in_stock')) stocked += 1;
    if (options.length === 2) twoOptions += 1;
    const min = Number(q.get('price_min') ?? 0);
    const max = Number(q.get('price_max') ?? Infinity);
    // Some published product with variants has one variant with every asked option value and a
    // price in the band (stock aside: the generator does not look at it).
    const found = all.some(
      (p) =>
        hasVariants(p) &&
        p.variants.some(
          (v) =>
            options.every((k) => v.options[k.slice('attr.'.length)] === q.get(k)) &&
            (v.price?.amountMinor ?? -1) >= min &&
            (v.price?.amountMinor ?? Infinity) <= max,
        ),
    );
    if (!found) unmatched.push(path);
  }
  t.same(unmatched.slice(0, 3), [], 'every request names a real variant');
  t.ok(priced > 8000 && priced < 12000, `about half with a price band (${priced})`);
  t.ok(stocked > 8000 && stocked < 12000, `about half in stock (${stocked})`);
  t.ok(twoOptions > 3000, `colour and size together (${twoOptions})`);
  t.ok(
    filters?.paths.some((p) => params(p).has('attr.size') && params(p).has('attr.color')),
    'the filters mix on a variant catalog asks colour with size',
  );
  t.throws(() => buildMixPools(42, 300, ['variants']), /products with variants/);
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
  t.match(defaults, { variantShare: 0 }, 'no variants unless asked');
  t.match(parseSearchOptions(['--variant-share', '0.5']), {
    variantShare: 0.5,
    mixes: ['uniform', 'zipf', 'browse', 'filters', 'variants'],
  });
  t.throws(() => parseSearchOptions(['--mixes', 'variants']), /--variant-share/);
  t.throws(() => parseSearchOptions(['--variant-share', '1.5']), /from 0 to 1/);
  t.throws(() => parseSearchOptions(['--variant-share', 'half']), /from 0 to 1/);
});
