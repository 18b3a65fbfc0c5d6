import t from 'tap';
import { parseBaselineRequest, type BaselineQuerystring } from './params.js';
import { buildSearchSql, orderBy } from './sql.js';

const build = (query: BaselineQuerystring) => buildSearchSql(parseBaselineRequest(query));
/** The aggregates of the counts CTE: each branch counts once. */
const branches = (text: string) => text.split('count(*)').length - 1;

t.test('browse: one pass over matching for hits, total and every facet', async (t) => {
  const { text, values } = build({});
  t.equal(branches(text), 3, 'core facets + attribute facets (scalar, list), nothing else');
  t.notMatch(text, /search_vector @@/, 'no text condition');
  t.notMatch(text, /wanted/, 'no category tree walk');
  t.match(text, /GROUPING SETS \(\(brand\), \(category_id\), \(bucket\), \(in_stock\), \(\)\)/);
  t.match(text, /ORDER BY created_at DESC, id LIMIT/, 'browse sorts newest first by default');
  t.same(values, [21, 0], 'one row more than the page, offset 0');
});

t.test('each selected group gets its own aggregate without its own filter', async (t) => {
  const { text } = build({
    category: '5b8e2b1a-3c1d-4c55-9a55-2d3c4b5a6f70',
    brand: ['Stride'],
    in_stock: true,
    'attr.color': ['red'],
  });
  t.equal(branches(text), 3 + 3 + 2, 'brand, category, inStock add one each, attr:color two');
  t.match(text, /GROUPING SETS \(\(bucket\), \(\)\)/, 'only price is counted on matching');
  t.match(text, /WITH RECURSIVE wanted\(id\)/, 'the category includes its descendants');
  t.match(text, /a\.name <> ALL/, 'unselected attribute names exclude the selected one');
});

t.test('every group selected: matching still gives the total', async (t) => {
  const { text } = build({
    category: '5b8e2b1a-3c1d-4c55-9a55-2d3c4b5a6f70',
    brand: ['Stride'],
    price_min: 100,
    in_stock: true,
  });
  t.match(text, /SELECT 'total' AS facet/);
  t.match(text, /GROUPING SETS \(\(\)\)/);
});

t.test('a category id that is not a UUID finds nothing, without a cast error', async (t) => {
  const { text, values } = build({ category: 'shoes' });
  t.notMatch(text, /wanted/);
  t.match(text, /AND false/);
  t.notOk(values.includes('shoes'));
});

t.test('client values are bind parameters, never SQL text', async (t) => {
  const hostile = "x'); DROP TABLE products; --";
  const { text, values } = build({
    q: hostile,
    brand: [hostile],
    'attr.color': [hostile],
  });
  t.notMatch(text, /DROP TABLE/);
  t.ok(values.some((v) => Array.isArray(v) && v.includes(hostile)));
  t.ok(values.includes('DROP'), 'each word is its own parameter');
});

t.test('text: any word may match, each stemmed; relevance ranks by ts_rank', async (t) => {
  const { text, values } = build({ q: 'red running shoes' });
  t.match(
    text,
    /\(plainto_tsquery\('english', \$1::text\) \|\| plainto_tsquery\('english', \$2::text\) \|\| plainto_tsquery\('english', \$3::text\)\)/,
  );
  t.same(values.slice(0, 3), ['red', 'running', 'shoes']);
  t.match(text, /ts_rank\(p\.search_vector/);
  t.match(text, /ORDER BY rank DESC, id LIMIT/);
  t.match(text, /ts_headline/);
  const sorted = build({ q: 'shoes', sort: 'price_asc' }).text;
  t.notMatch(sorted, /ts_rank/, 'no rank computed when it does not order');
});

t.test('orders: ids break every tie; prices missing last', async (t) => {
  t.equal(orderBy('relevance', false), 'id');
  t.equal(orderBy('price_asc', false, 'h.'), 'h.price ASC NULLS LAST, h.id');
  t.equal(orderBy('price_desc', true), 'price DESC NULLS LAST, id');
  t.equal(orderBy('newest', true), 'created_at DESC, id');
});

t.test('paging: page n skips (n - 1) * size rows', async (t) => {
  const { values } = build({ size: 10, page: 3 });
  t.same(values.slice(-2), [11, 20]);
});
