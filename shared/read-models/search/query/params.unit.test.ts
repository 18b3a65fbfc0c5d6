import t from 'tap';
import { Problem } from '../../../http/problems.js';
import { parseFacets, parseSearchRequest, type SearchQuerystring } from './params.js';
import { queryTextLimits, queryWords, skuQuery, termKey } from './text.js';

function refusal(query: SearchQuerystring, header?: number): Problem {
  try {
    parseSearchRequest(query, header);
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('not refused');
}

t.test('When nothing is asked, then it is a browse, newest first, first page of 20', async (t) => {
  t.strictSame(parseSearchRequest({}, undefined), {
    q: '',
    words: [],
    filters: { brands: [], inStock: false, attributes: [] },
    sort: 'newest',
    size: 20,
    position: { page: 1 },
  });
});

t.test('When q has words, then the default sort is relevance', async (t) => {
  const request = parseSearchRequest({ q: '  Trail shoes ', size: 5, page: 3 }, undefined);
  t.equal(request.q, 'Trail shoes');
  t.strictSame(request.words, ['Trail', 'shoes']);
  t.equal(request.sort, 'relevance');
  t.strictSame(request.position, { page: 3 });
});

t.test('Filters come out canonical: sorted, deduplicated, attributes by name', async (t) => {
  const request = parseSearchRequest(
    {
      brand: ['Stride', 'Acme', 'Stride'],
      'attr.size': ['43', '42'],
      'attr.color': ['red', 'blue', 'red'],
      in_stock: true,
      price_min: 100,
      category: 'c1',
      sort: 'price_desc',
    },
    undefined,
  );
  t.strictSame(request.filters, {
    category: 'c1',
    brands: ['Acme', 'Stride'],
    priceMin: 100,
    inStock: true,
    attributes: [
      { name: 'color', values: ['blue', 'red'] },
      { name: 'size', values: ['42', '43'] },
    ],
  });
  t.equal(request.sort, 'price_desc');
});

t.test('Page depth is bounded and the refusal points to the cursor', async (t) => {
  t.strictSame(parseSearchRequest({ size: 100, page: 10 }, undefined).position, { page: 10 });
  const problem = refusal({ size: 100, page: 11 });
  t.equal(problem.status, 400);
  t.match(problem.detail, /deeper than 1000 results.*use cursor/);
  t.equal(refusal({ page: 2, cursor: 'abc' }).status, 400, 'page and cursor together');
});

t.test('Contradictions are 400s', async (t) => {
  t.match(refusal({ price_min: 500, price_max: 100 }).detail, /price_min/);
  t.match(refusal({ minVersion: 3 }).detail, /product/);
  t.match(refusal({}, 3).detail, /product/, 'the header needs a product too');
  t.match(refusal({ product: 'p' }).detail, /minVersion/);
});

t.test('minVersion comes from the query or from the header', async (t) => {
  t.strictSame(parseSearchRequest({ product: 'p', minVersion: 4 }, undefined).minVersion, {
    productId: 'p',
    version: 4,
  });
  t.strictSame(parseSearchRequest({ product: 'p' }, 7).minVersion, {
    productId: 'p',
    version: 7,
  });
});

t.test('Query words: syntax characters separate words and are never kept', async (t) => {
  t.strictSame(queryWords('"\\ ( ) : ^ ~ * ? [ ] { } / AND OR NOT'), ['AND', 'OR', 'NOT']);
  t.strictSame(queryWords('title:shoe^3 OR name:*'), ['title', 'shoe', '3', 'OR', 'name']);
  t.strictSame(queryWords("men's 3.5mm t-shirt"), ["men's", '3.5mm', 't', 'shirt']);
  t.strictSame(queryWords('مرحبا بالعالم'), ['مرحبا', 'بالعالم']);
  t.strictSame(queryWords('red 👟 shoe'), ['red', '👟', 'shoe']);
  t.strictSame(queryWords('½ size²'), ['size'], 'only decimal digits are word characters');
  t.strictSame(queryWords('Crème brûlée'), ['Crème', 'brûlée']);
});

t.test('Query words are bounded in characters and in count', async (t) => {
  t.equal(queryWords('word '.repeat(2000)).length, queryTextLimits.maxWords);
  const long = queryWords('x'.repeat(10_000));
  t.strictSame(long, ['x'.repeat(queryTextLimits.maxWordChars)], 'a word is cut');
  const words = queryWords(`${'ab '.repeat(300)}tail`);
  t.equal(words.length, queryTextLimits.maxWords);
  t.notOk(queryWords(`${'é'.repeat(600)} tail`).includes('tail'), 'cut at 512 code points');
});

t.test('Characters the engine makes one term each count as one word each', async (t) => {
  t.strictSame(queryWords('中文字'.repeat(200)), [...'中文字中文字中文字中']);
  t.strictSame(queryWords('ひらがな'), ['ひ', 'ら', 'が', 'な']);
  t.strictSame(queryWords('😀'.repeat(1000)), Array<string>(10).fill('😀'));
  t.strictSame(queryWords('👍🏽 ok'), ['👍🏽', 'ok'], 'a skin tone stays with its emoji');
  t.strictSame(queryWords('カタカナ 한국어 ภาษาไทย'), ['カタカナ', '한국어', 'ภาษาไทย'], 'runs');
});

t.test('Term keys fold case, accents and a plural s', async (t) => {
  t.equal(termKey('Sneakers'), 'sneaker');
  t.equal(termKey('dress'), 'dress');
  t.equal(termKey('Café'), 'cafe');
  t.equal(termKey("men's"), 'men');
  t.equal(termKey('tvs'), 'tvs', 'short words are kept');
});

t.test('Number attribute bounds join the values of the same name', async (t) => {
  const request = parseSearchRequest(
    { 'attr.weight.max': 2.5, 'attr.color': ['red'], 'attr.weight.min': 0, 'attr.size.min': -1 },
    undefined,
  );
  t.strictSame(request.filters.attributes, [
    { name: 'color', values: ['red'] },
    { name: 'size', values: [], min: -1 },
    { name: 'weight', values: [], min: 0, max: 2.5 },
  ]);
});

t.test('Number attribute bounds must be finite and in order', async (t) => {
  const reversed = refusal({ 'attr.weight.min': 3, 'attr.weight.max': 2 });
  t.equal(reversed.status, 400);
  t.match(reversed.detail, /attr\.weight\.min must not be greater than attr\.weight\.max/);
  t.match(refusal({ 'attr.weight.min': Infinity }).detail, /attr\.weight\.min must be a finite/);
});

t.test('facets names the facets to compute, in canonical form', async (t) => {
  t.notOk('facets' in parseSearchRequest({}, undefined), 'absent: all of them');
  t.strictSame(
    parseSearchRequest({ facets: 'price, brand,attr.size,attr.color,attr.size' }, undefined).facets,
    {
      fixed: ['brand', 'price'],
      attributes: ['color', 'size'],
    },
  );
  t.strictSame(parseFacets('attributes,attr.color,inStock'), {
    fixed: ['inStock'],
    attributes: 'all',
  });
  t.strictSame(parseFacets('none'), { fixed: [], attributes: [] });
  for (const bad of ['colour', 'none,brand', 'brand,', 'attr.Bad', 'attr.']) {
    const problem = refusal({ facets: bad });
    t.equal(problem.status, 400, bad);
    t.match(problem.detail, /querystring\.facets/, bad);
  }
});

t.test('A query is also a SKU when it is one token of the SKU alphabet', async (t) => {
  t.equal(skuQuery('  TS-BLK-XL '), 'TS-BLK-XL');
  t.equal(skuQuery('shoe'), 'shoe', 'a word could be a SKU: it is only compared, never parsed');
  t.equal(skuQuery('red shoe'), undefined);
  t.equal(skuQuery('-dash'), undefined);
  t.equal(skuQuery('x'.repeat(65)), undefined);
  t.equal(skuQuery('a"b'), undefined);
});

t.test('Option filters asking for too many combinations on one variant are refused', async (t) => {
  const values = Array.from({ length: 8 }, (_, i) => String(i));
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const many = Object.fromEntries(names.map((n) => [`attr.${n}`, ['1', '2']]));
  const problem = refusal({ ...many, price_max: 5000 });
  t.equal(problem.code, 'validation_failed');
  t.match(JSON.stringify(problem.errors), /attr\.a.*too many value combinations/);
  t.ok(
    parseSearchRequest({ 'attr.color': values, 'attr.size': values, price_max: 5000 }, undefined),
    'two options of eight values with a price are fine',
  );
  t.ok(parseSearchRequest(many, undefined), 'nine names without a price');
});
