import t from 'tap';
import type { SearchRuleSnapshot } from '../../events/merchandising-events.js';
import { storedDrift } from './stored.js';

const rule: SearchRuleSnapshot = {
  id: '6f1c1c7e-8a44-4c51-9a0e-2f1f7d8a9b01',
  version: 3,
  query: 'boots',
  match: 'exact',
  pin: ['0b7e1d7a-7d59-4d33-8a8e-1c9d0f2b3a44'],
  hide: [],
  activeFrom: null,
  activeTo: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

t.test('Given the same snapshot in another key order, then it is in sync', async (t) => {
  const reordered = Object.fromEntries(Object.entries(rule).reverse());
  t.equal(storedDrift(JSON.stringify(reordered), rule), undefined);
});

t.test('Given nothing stored, then it is missing', async (t) => {
  t.equal(storedDrift(null, rule), 'missing');
});

t.test('Given a lower, a higher or an equal version with other content', async (t) => {
  t.equal(storedDrift(JSON.stringify({ ...rule, version: 2 }), rule), 'stale');
  t.equal(storedDrift(JSON.stringify({ ...rule, version: 4 }), rule), 'ahead');
  t.equal(storedDrift(JSON.stringify({ ...rule, pin: [] }), rule), 'mismatch');
});

t.test(
  'Given a live rule where the write model holds its tombstone, then it differs',
  async (t) => {
    const tombstone = { ...rule, deleted: true as const };
    t.equal(storedDrift(JSON.stringify(rule), tombstone), 'mismatch');
    t.equal(storedDrift(JSON.stringify(tombstone), tombstone), undefined);
  },
);

t.test('Given a value that is not a versioned JSON object, then it is a mismatch', async (t) => {
  for (const junk of ['not json', '42', 'null', '{"version":"3"}', '[]']) {
    t.equal(storedDrift(junk, rule), 'mismatch', junk);
  }
});
