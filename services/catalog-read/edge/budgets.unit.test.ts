import t from 'tap';
import { budgetOfKey, budgetOfRoute, counterKey, maxOfBudget } from './budgets.js';

t.test(
  'Given the storefront routes, then search and suggest share the search budget',
  async (t) => {
    t.equal(budgetOfRoute('/v1/search'), 'search');
    t.equal(budgetOfRoute('/v1/suggest'), 'search');
    t.equal(budgetOfRoute('/v1/products/:id'), 'read');
    t.equal(budgetOfRoute('/v1/categories'), 'read');
  },
);

t.test(
  'Given probes, docs, the storefront page or an unmatched URL, then no budget applies',
  async (t) => {
    for (const url of ['/health/live', '/health/ready', '/metrics', '/docs/json', '/', '*']) {
      t.equal(budgetOfRoute(url), undefined, url);
    }
    t.equal(budgetOfRoute(undefined), undefined);
  },
);

t.test('When a counter key is made, then its budget and limit come back from it', async (t) => {
  const limits = { searchMax: 3, readMax: 30 };
  for (const client of ['10.0.0.1', '2001:db8::', 'search:odd']) {
    t.equal(budgetOfKey(counterKey('search', client)), 'search');
    t.equal(budgetOfKey(counterKey('read', client)), 'read');
  }
  t.equal(maxOfBudget('search', limits), 3);
  t.equal(maxOfBudget('read', limits), 30);
});
