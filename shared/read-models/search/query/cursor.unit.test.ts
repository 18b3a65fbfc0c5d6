import t from 'tap';
import { Problem } from '../../../http/problems.js';
import {
  decodeCursor,
  decodeCursorPosition,
  encodeCursor,
  encodePinnedCursor,
  searchKey,
} from './cursor.js';
import type { SearchFilters } from './params.js';

const filters: SearchFilters = {
  brands: ['Acme'],
  inStock: true,
  attributes: [{ name: 'color', values: ['blue'] }],
};
const key = searchKey(['shoe'], filters, 'price_asc');
const values = [2599, '0b5f1c1e-2a3b-4c5d-8e9f-000000000001'];

function refusal(fn: () => unknown): Problem {
  try {
    fn();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('not refused');
}

t.test('A cursor decodes to the values it was made of, and is opaque base64url', async (t) => {
  const cursor = encodeCursor(key, values);
  t.match(cursor, /^[A-Za-z0-9_-]+$/);
  t.strictSame(decodeCursor(cursor, key, 2), values);
  t.strictSame(decodeCursor(encodeCursor(key, [1.25, 'z']), key, 2), [1.25, 'z']);
});

t.test('The search key ignores nothing that changes results and nothing else', async (t) => {
  t.equal(searchKey(['shoe'], { ...filters }, 'price_asc'), key, 'same search, same key');
  t.not(searchKey(['shoe'], filters, 'price_desc'), key, 'sort');
  t.not(searchKey(['shoes'], filters, 'price_asc'), key, 'words');
  t.not(searchKey(['shoe'], { ...filters, brands: ['Other'] }, 'price_asc'), key, 'brand');
  t.not(searchKey(['shoe'], { ...filters, priceMin: 1 }, 'price_asc'), key, 'price');
  t.not(searchKey(['shoe'], { ...filters, inStock: false }, 'price_asc'), key, 'stock');
  t.not(searchKey(['shoe'], { ...filters, category: 'c' }, 'price_asc'), key, 'category');
  t.not(searchKey(['shoe'], { ...filters, attributes: [] }, 'price_asc'), key, 'attributes');
});

t.test('When a cursor is reused with other filters, then it is refused with 400', async (t) => {
  const cursor = encodeCursor(key, values);
  const other = searchKey(['shoe'], { ...filters, brands: ['Other'] }, 'price_asc');
  const problem = refusal(() => decodeCursor(cursor, other, 2));
  t.equal(problem.status, 400);
  t.match(problem.detail, /another q, filter set or sort/);
  t.strictSame(problem.errors, [
    { field: 'querystring.cursor', message: problem.errors?.[0]?.message ?? '' },
  ]);
});

t.test('When a cursor was altered, then it is refused with 400', async (t) => {
  const cursor = encodeCursor(key, values);
  const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as {
    a: unknown[];
  };
  const edited = Buffer.from(JSON.stringify({ ...payload, a: [1, values[1]] })).toString(
    'base64url',
  );
  const flipped = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
  const cases = {
    'edited values': edited,
    'a flipped character': flipped,
    truncated: cursor.slice(0, -4),
    'not base64url': 'a+b/c==',
    'not JSON': Buffer.from('hello').toString('base64url'),
    'JSON of another shape': Buffer.from('{"v":1}').toString('base64url'),
  };
  for (const [name, bad] of Object.entries(cases)) {
    const problem = refusal(() => decodeCursor(bad, key, 2));
    t.equal(problem.status, 400, name);
    t.match(problem.detail, /not a cursor this API issued/, name);
  }
});

t.test('When the values do not fit the sort, then the cursor is refused', async (t) => {
  t.equal(refusal(() => decodeCursor(encodeCursor(key, values), key, 3)).status, 400);
  t.equal(refusal(() => decodeCursor(encodeCursor(key, ['x', 'y']), key, 2)).status, 400);
  t.equal(refusal(() => decodeCursor(encodeCursor(key, [1, 2]), key, 2)).status, 400);
});

t.test(
  'A pinned cursor round-trips, is checked like any cursor, and is not a search_after',
  async (t) => {
    const key = searchKey(['boots'], { brands: [], inStock: false, attributes: [] }, 'relevance');
    const cursor = encodePinnedCursor(key, 3);
    t.same(decodeCursorPosition(cursor, key, 2), { pinnedShown: 3 });
    t.equal(refusal(() => decodeCursor(cursor, key, 2)).status, 400);
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const edited = Buffer.from(JSON.stringify({ ...payload, p: 1 })).toString('base64url');
    t.equal(
      refusal(() => decodeCursorPosition(edited, key, 2)).status,
      400,
      'an edited count is refused',
    );
  },
);
