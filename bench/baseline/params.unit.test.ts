import t from 'tap';
import { baselineWords, encodePageCursor, parseBaselineRequest } from './params.js';

t.test('canonical form: lists deduplicated and sorted, attributes by name', async (t) => {
  const parsed = parseBaselineRequest({
    q: '  Red  shoes ',
    brand: ['b', 'a', 'b'],
    'attr.size': ['M', 'L'],
    'attr.color': ['red'],
    price_min: 100,
  });
  t.same(parsed.words, ['Red', 'shoes']);
  t.same(parsed.brands, ['a', 'b']);
  t.same(parsed.attributes, [
    { name: 'color', values: ['red'] },
    { name: 'size', values: ['L', 'M'] },
  ]);
  t.equal(parsed.priceMin, 100);
  t.notOk('priceMax' in parsed);
  t.equal(parsed.sort, 'relevance');
  t.equal(parseBaselineRequest({}).sort, 'newest', 'browse defaults to newest');
});

t.test('words: separators are not syntax; bounded in count and length', async (t) => {
  t.same(baselineWords("men's 3.5mm t-shirt & <b>"), ["men's", '3.5mm', 't', 'shirt', 'b']);
  t.equal(baselineWords('w '.repeat(50)).length, 10);
  t.equal(baselineWords('x'.repeat(100))[0]?.length, 32);
});

t.test('cursor: the next page number, and only what this service issued', async (t) => {
  t.equal(parseBaselineRequest({ cursor: encodePageCursor(4), size: 5 }).page, 4);
  t.throws(() => parseBaselineRequest({ cursor: 'bm9wZQ' }), /cursor/);
  t.throws(() => parseBaselineRequest({ cursor: encodePageCursor(2), page: 2 }), /page/);
});

t.test('limits: price bounds in order, paging depth', async (t) => {
  t.throws(() => parseBaselineRequest({ price_min: 10, price_max: 5 }), /price_min/);
  t.throws(() => parseBaselineRequest({ page: 101, size: 100 }), /deeper/);
  t.equal(parseBaselineRequest({ page: 100, size: 100 }).page, 100);
});
