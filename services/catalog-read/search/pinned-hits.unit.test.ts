import t from 'tap';
import {
  decodeCursorPosition,
  searchKey,
} from '../../../shared/read-models/search/query/cursor.js';
import type { SearchHit, SearchResponseBody } from '../../../shared/stores/search/engine.js';
import { pageWithPins } from './pinned-hits.js';

const filters = { brands: [], inStock: false, attributes: [] };
const key = searchKey(['boots'], filters, 'relevance');
const hit = (id: string, score = 1): SearchHit => ({
  _id: id,
  _score: score,
  _source: { id, sku: id, name: id, inStock: true },
  sort: [score, id],
});
const raw = (hits: SearchHit[], total: number): SearchResponseBody => ({
  took: 1,
  hits: { total: { value: total, relation: 'eq' }, hits },
});
const ids = (items: readonly { id: string }[]) => items.map((i) => i.id);

t.test('Page 1 shows the pinned products first, then the rest; total counts both', async (t) => {
  const page = pageWithPins(
    raw([hit('r1', 3), hit('r2', 2), hit('r3', 1)], 10),
    [hit('p1'), hit('p2')],
    {
      position: { from: 0 },
      size: 3,
      key,
      filters,
    },
  );
  t.same(ids(page.items), ['p1', 'p2', 'r1']);
  t.equal(page.total, 12);
  const next = decodeCursorPosition(page.nextCursor ?? '', key, 2);
  t.same(next, { searchAfter: [3, 'r1'] }, 'the cursor continues after the last rest hit shown');
});

t.test('A page that ends among the pinned products continues them by cursor', async (t) => {
  const pinned = [hit('p1'), hit('p2'), hit('p3')];
  const first = pageWithPins(raw([hit('r1')], 1), pinned, {
    position: { from: 0 },
    size: 2,
    key,
    filters,
  });
  t.same(ids(first.items), ['p1', 'p2']);
  t.same(decodeCursorPosition(first.nextCursor ?? '', key, 2), { pinnedShown: 2 });
  const second = pageWithPins(raw([hit('r1')], 1), pinned, {
    position: { pinnedShown: 2 },
    size: 2,
    key,
    filters,
  });
  t.same(ids(second.items), ['p3', 'r1']);
  t.equal(second.nextCursor, null, 'nothing after the last rest hit');
  t.equal(second.total, 4);
});

t.test('When only pinned products match, the last page has no next cursor', async (t) => {
  const page = pageWithPins(raw([], 0), [hit('p1')], {
    position: { from: 0 },
    size: 1,
    key,
    filters,
  });
  t.same(ids(page.items), ['p1']);
  t.equal(page.nextCursor, null);
  t.equal(page.total, 1);
});
