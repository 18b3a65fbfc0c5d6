import t from 'tap';
import { counterSum, searchCacheUse } from './service-metrics.js';

const page = (hits: number, misses: number, engine: number, shared: number) =>
  [
    '# HELP aisle_search_cache_lookups_total lookups',
    '# TYPE aisle_search_cache_lookups_total counter',
    `aisle_search_cache_lookups_total{part="response",outcome="hit",service="catalog-read"} ${hits}`,
    `aisle_search_cache_lookups_total{part="response",outcome="miss",service="catalog-read"} ${misses}`,
    `aisle_search_cache_lookups_total{part="hits",outcome="miss",service="catalog-read"} ${misses}`,
    `aisle_search_engine_requests_total{part="all",service="catalog-read"} ${engine}`,
    `aisle_search_engine_requests_total{part="hits",service="catalog-read"} 1`,
    `aisle_search_shared_answers_total ${shared}`,
    'aisle_search_cache_bytes{service="catalog-read"} 2048',
    'aisle_search_cache_entries{service="catalog-read"} 3',
  ].join('\n');

t.test('counterSum adds the series whose labels include the match', async (t) => {
  const p = page(8, 2, 5, 1);
  t.equal(counterSum(p, 'aisle_search_cache_lookups_total'), 12, 'every series');
  t.equal(counterSum(p, 'aisle_search_cache_lookups_total', { part: 'response' }), 10);
  t.equal(counterSum(p, 'aisle_search_cache_lookups_total', { outcome: 'miss' }), 4);
  t.equal(counterSum(p, 'aisle_search_shared_answers_total'), 1, 'a series without labels');
  t.equal(counterSum(p, 'aisle_search_cache'), 0, 'a name is matched whole');
});

t.test('searchCacheUse is what happened between two scrapes', async (t) => {
  const use = searchCacheUse(page(8, 2, 5, 1), page(98, 12, 20, 4));
  t.equal(use.hitShare, 0.9, 'response hits over response lookups');
  t.equal(use.engineRequests, 15);
  t.equal(use.shared, 3);
  t.equal(use.bytes, 2048);
  t.equal(use.entries, 3);
  t.equal(searchCacheUse(page(1, 1, 1, 1), page(1, 1, 1, 1)).hitShare, 0, 'no lookups: 0');
});
