import t from 'tap';
import { buildSearchBody, type SearchBodyInput } from './build-search-body.js';
import { inPinOrder, needsPinnedCountFirst, pinnedBody, pinnedPage, restBody } from './pinning.js';

const input: SearchBodyInput = {
  units: [{ text: 'boots', alternatives: [] }],
  signalCategories: [],
  filters: { brands: ['Acme'], inStock: false, attributes: [] },
  sort: 'relevance',
  size: 20,
  from: 0,
  pinned: ['p1', 'p2'],
  hidden: ['h1'],
};

t.test('Pages lay out the pinned products first, then the rest, as one list', async (t) => {
  t.same(pinnedPage({ from: 0 }, 3, 20), {
    pinned: { start: 0, end: 3 },
    rest: { from: 0 },
    restSize: 17,
  });
  t.same(
    pinnedPage({ from: 20 }, 3, 20),
    { pinned: { start: 3, end: 3 }, rest: { from: 17 }, restSize: 20 },
    'page 2 continues the rest where page 1 stopped',
  );
  t.same(
    pinnedPage({ from: 2 }, 5, 2),
    { pinned: { start: 2, end: 4 }, rest: { from: 0 }, restSize: 0 },
    'pages smaller than the pins are all pins',
  );
  t.same(pinnedPage({ from: 4 }, 5, 2), {
    pinned: { start: 4, end: 5 },
    rest: { from: 0 },
    restSize: 1,
  });
  t.same(pinnedPage({ pinnedShown: 5 }, 5, 2), {
    pinned: { start: 5, end: 5 },
    rest: { from: 0 },
    restSize: 2,
  });
  t.same(pinnedPage({ searchAfter: [1, 'x'] }, 5, 2), {
    pinned: { start: 0, end: 0 },
    rest: { searchAfter: [1, 'x'] },
    restSize: 2,
  });
});

t.test('Only a page past the first needs the pinned count before the rest is asked', async (t) => {
  t.equal(needsPinnedCountFirst({ from: 0 }), false);
  t.equal(needsPinnedCountFirst({ pinnedShown: 3 }), false);
  t.equal(needsPinnedCountFirst({ searchAfter: [1, 'x'] }), false);
  t.equal(needsPinnedCountFirst({ from: 20 }), true);
});

t.test('The rest body starts where the page rest starts and keeps the page size', async (t) => {
  const page2 = restBody({ ...input, from: 20 }, { from: 20 }, 2);
  t.equal(page2.from, 18);
  t.equal(page2.size, 20);
  const after = restBody(input, { searchAfter: [3, 'p9'] }, 2);
  t.same(after.searchAfter, [3, 'p9']);
  t.equal(after.from, undefined);
});

t.test('The pinned body asks for the pinned ids with the same filters and no text', async (t) => {
  const body = pinnedBody(input) as { size: number; query: { bool: { filter: unknown[] } } };
  t.equal(body.size, 2);
  t.same(body.query.bool.filter, [
    { term: { visible: true } },
    { ids: { values: ['p1', 'p2'] } },
    { terms: { brand: ['Acme'] } },
  ]);
});

t.test(
  'The main body: pinned products match whatever the text, hidden ones never, hits leave pins out',
  async (t) => {
    const body = buildSearchBody(input) as {
      query: { bool: { should: unknown[]; must_not: unknown[]; minimum_should_match: number } };
      post_filter: { bool: { filter: unknown[]; must_not: unknown[] } };
    };
    t.equal(body.query.bool.minimum_should_match, 1);
    t.same(body.query.bool.must_not, [{ ids: { values: ['h1'] } }]);
    // With a selection (brand), the filters sit in post_filter (facets.ts), so the pinned branch of
    // the query carries visibility only, like the text branch.
    t.same(body.query.bool.should[1], {
      constant_score: {
        filter: {
          bool: { filter: [{ term: { visible: true } }, { ids: { values: ['p1', 'p2'] } }] },
        },
        boost: 0,
      },
    });
    t.same(body.post_filter.bool, {
      filter: [{ terms: { brand: ['Acme'] } }],
      must_not: [{ ids: { values: ['p1', 'p2'] } }],
    });
    const plain = buildSearchBody({ ...input, pinned: [], hidden: [] }) as {
      query: Record<string, unknown>;
      post_filter: Record<string, unknown>;
    };
    t.same(plain.post_filter, { bool: { filter: [{ terms: { brand: ['Acme'] } }] } });
    t.notMatch(JSON.stringify(plain.query), /"ids"/, 'no rules: no ids clause in the query');
  },
);

t.test('Pinned hits come back in the rules order', async (t) => {
  const hits = [{ _id: 'p3' }, { _id: 'p1' }, { _id: 'p2' }];
  t.same(
    inPinOrder(hits, ['p2', 'p3', 'p1']).map((h) => h._id),
    ['p2', 'p3', 'p1'],
  );
});
