import type { SearchRuleSnapshot } from '../../shared/events/merchandising-events.js';
import type { Queryable } from '../../shared/stores/postgres.js';
import { sampleProduct, type WriteHarness } from './catalog-write.js';

/**
 * Everything a merchandising command may write, read whole: the synonym set, every rule row and
 * the outbox size. Tests compare it before and after a refused request: equal means nothing
 * changed.
 */
export async function merchandisingState(db: Queryable): Promise<unknown> {
  const [sets, rules, outbox] = await Promise.all([
    db.query('SELECT * FROM synonym_sets ORDER BY id'),
    db.query('SELECT * FROM search_rules ORDER BY id'),
    db.query<{ n: string }>('SELECT count(*) AS n FROM outbox'),
  ]);
  return { sets: sets.rows, rules: rules.rows, outbox: Number(outbox.rows[0]?.n) };
}

/** A new product (a draft: rules may name any product that is not deleted); its id. */
export async function createProduct(h: WriteHarness): Promise<string> {
  const res = await h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct(),
  });
  if (res.statusCode !== 201) throw new Error(`product create failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

/** A stored rule snapshot (read-model tests): exact `boots`, pinning p1, always active. */
export const ruleSnapshot = (
  overrides: Partial<SearchRuleSnapshot> & { id: string },
): SearchRuleSnapshot => ({
  version: 1,
  query: 'boots',
  match: 'exact',
  pin: ['p1'],
  hide: [],
  activeFrom: null,
  activeTo: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...overrides,
});
