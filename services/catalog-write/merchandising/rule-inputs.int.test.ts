import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { writeHarness } from '../../../test/support/catalog-write.js';
import { createProduct, merchandisingState } from '../../../test/support/merchandising.js';

const RULES = '/admin/v1/search/rules';
const h = await writeHarness(t);

const [a, b, deleted] = [await createProduct(h), await createProduct(h), await createProduct(h)];
await h.admin({ method: 'DELETE', url: `/admin/v1/products/${deleted}` });
const existing = await h.admin({
  method: 'POST',
  url: RULES,
  payload: { query: 'boots', match: 'exact', pin: [a], hide: [b] },
});
const ruleId = existing.json<{ id: string }>().id;
const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const valid = { query: 'running shoes', match: 'exact', pin: [a] };
const at = '2026-12-01T00:00:00Z';

type Case = readonly [name: string, body: unknown, status: number, code: string];

const createCases: Case[] = [
  ['an empty query', { ...valid, query: '' }, 400, 'validation_failed'],
  ['a query with no words', { ...valid, query: '?! -- ()' }, 400, 'validation_failed'],
  ['a query of 201 characters', { ...valid, query: 'x'.repeat(201) }, 400, 'validation_failed'],
  ['a query of 11 words', { ...valid, query: 'a '.repeat(11) }, 400, 'validation_failed'],
  ['no query', { match: 'exact', pin: [a] }, 400, 'validation_failed'],
  ['an unknown match', { ...valid, match: 'fuzzy' }, 400, 'validation_failed'],
  ['no match', { query: 'boots', pin: [a] }, 400, 'validation_failed'],
  ['21 pins', { ...valid, pin: ids(21) }, 400, 'validation_failed'],
  ['201 hides', { ...valid, pin: [], hide: ids(201) }, 400, 'validation_failed'],
  ['a pin twice', { ...valid, pin: [a, a] }, 400, 'validation_failed'],
  ['a hide twice', { ...valid, pin: [], hide: [b, b] }, 400, 'validation_failed'],
  ['an upper-case id', { ...valid, pin: [a.toUpperCase()] }, 400, 'validation_failed'],
  ['an id that is no uuid', { ...valid, pin: ['sku-1'] }, 400, 'validation_failed'],
  ['pinned and hidden', { ...valid, pin: [a], hide: [a] }, 400, 'validation_failed'],
  ['nothing to pin or hide', { ...valid, pin: [], hide: [] }, 400, 'validation_failed'],
  ['neither pin nor hide', { query: 'boots', match: 'exact' }, 400, 'validation_failed'],
  ['an empty window', { ...valid, activeFrom: at, activeTo: at }, 400, 'validation_failed'],
  [
    'a window that ends first',
    { ...valid, activeFrom: at, activeTo: '2026-11-01T00:00:00Z' },
    400,
    'validation_failed',
  ],
  ['a time that is no instant', { ...valid, activeFrom: 'tomorrow' }, 400, 'validation_failed'],
  ['a leap second', { ...valid, activeTo: '2016-12-31T23:59:60Z' }, 400, 'validation_failed'],
  ['year 0', { ...valid, activeFrom: '0000-01-01T00:00:00Z' }, 400, 'validation_failed'],
  ['an unknown field', { ...valid, id: randomUUID() }, 400, 'validation_failed'],
  ['a NUL in the query', { ...valid, query: 'boots\u0000' }, 400, 'validation_failed'],
  ['a body that is a list', [valid], 400, 'validation_failed'],
  ['an unknown product', { ...valid, pin: [a, ids(1)[0]] }, 422, 'unknown_product'],
  ['a deleted product', { ...valid, pin: [], hide: [deleted] }, 422, 'unknown_product'],
];

const patchCases: Case[] = [
  ['an empty patch', {}, 400, 'validation_failed'],
  ['a pin of what it hides', { pin: [b] }, 400, 'validation_failed'],
  ['no pin and no hide left', { pin: [], hide: [] }, 400, 'validation_failed'],
  ['a query with no words', { query: '...' }, 400, 'validation_failed'],
  ['an end before its start', { activeFrom: at, activeTo: at }, 400, 'validation_failed'],
  ['a null query', { query: null }, 400, 'validation_failed'],
  ['an unknown product', { hide: [b, deleted] }, 422, 'unknown_product'],
  ['a patch that changes nothing', { query: 'boots' }, 422, 'rule_violated'],
];

async function refused(
  t: Test,
  method: 'POST' | 'PATCH',
  url: string,
  [name, body, status, code]: Case,
) {
  const before = await merchandisingState(h.pool);
  const res = await h.admin({ method, url, payload: body as object });
  t.equal(res.statusCode, status, name);
  t.match(res.headers['content-type'], /^application\/problem\+json/, name);
  t.match(res.json(), { status, code }, name);
  t.strictSame(await merchandisingState(h.pool), before, `${name}: no row or event changed`);
  return res;
}

t.test('Every bad create is a 4xx problem and changes nothing', async (t) => {
  for (const c of createCases) await refused(t, 'POST', RULES, c);
});

t.test('Every bad patch is a 4xx problem and changes nothing', async (t) => {
  for (const c of patchCases) await refused(t, 'PATCH', `${RULES}/${ruleId}`, c);
});

t.test('The 422 names every unknown product id', async (t) => {
  const [x, y] = ids(2);
  const res = await refused(t, 'POST', RULES, [
    'two unknown',
    { ...valid, pin: [a, x], hide: [y, deleted] },
    422,
    'unknown_product',
  ]);
  const body = res.json<{ detail: string; errors: unknown }>();
  t.equal(body.detail, `no live product ${x}, ${y}, ${deleted}`);
  t.strictSame(body.errors, [
    { field: 'pin', message: `no live product ${x}` },
    { field: 'hide', message: `no live product ${y}` },
    { field: 'hide', message: `no live product ${deleted}` },
  ]);
});

t.test('A 400 names the field at fault', async (t) => {
  const res = await refused(t, 'POST', RULES, [
    'pinned and hidden',
    { ...valid, pin: [a, b], hide: [b] },
    400,
    'validation_failed',
  ]);
  t.match(res.json(), {
    errors: [{ field: 'hide', message: `a product cannot be both pinned and hidden: ${b}` }],
  });
});

t.test('The limits themselves are accepted', async (t) => {
  const res = await h.admin({
    method: 'POST',
    url: RULES,
    payload: { query: 'ab '.repeat(10).trim(), match: 'phrase', pin: [a], hide: [b] },
  });
  t.equal(res.statusCode, 201, 'ten words');
  const long = await h.admin({
    method: 'POST',
    url: RULES,
    payload: { query: 'y'.repeat(200), match: 'exact', hide: [b] },
  });
  t.equal(long.statusCode, 201, '200 characters');
});
