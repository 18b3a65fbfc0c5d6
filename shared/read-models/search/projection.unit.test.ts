import t from 'tap';
import type { CatalogEvent, ProductSnapshot } from '../../events/catalog-events.js';
import type { BulkItemResult, SearchEngine } from '../../stores/search/engine.js';
import { searchProjection } from './projection.js';

const event = (id: string, version: number) =>
  ({
    aggregate: 'product',
    type: 'ProductChanged',
    productId: id,
    version,
    snapshot: {
      id,
      sku: `S-${id}`,
      name: 'Shoe',
      brand: 'Acme',
      description: 'd',
      categoryId: null,
      attributes: {},
      images: [],
      price: null,
      stock: { available: 0, byWarehouse: {} },
      status: 'published',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      version,
    } as unknown as ProductSnapshot,
  }) as unknown as CatalogEvent;

/** A projection on an engine that answers each bulk request with the next list of statuses. */
function projection(answers: number[][], bump: () => void) {
  const engine = {
    bulkIndex: (_index: string, docs: readonly unknown[]): Promise<BulkItemResult[]> => {
      const statuses = answers.shift() ?? [];
      return Promise.resolve(docs.map((_d, i) => ({ status: statuses[i] ?? 201 })));
    },
  } as unknown as SearchEngine;
  return searchProjection(
    engine,
    () => Promise.resolve(['alias']),
    { maxItems: 2, maxWaitMs: 1 },
    bump,
  );
}

t.test(
  'A write that changed the index asks for an announcement, a stale one does not',
  async (t) => {
    let bumps = 0;
    const p = projection(
      [
        [409, 409],
        [409, 201],
      ],
      () => void ++bumps,
    );
    await Promise.all([p.apply(event('a', 1)), p.apply(event('b', 1))]);
    t.equal(bumps, 0, 'every event stale (409): nothing changed, no bump');
    await Promise.all([p.apply(event('a', 2)), p.apply(event('b', 2))]);
    t.equal(bumps, 1, 'one document written: one bump');
  },
);
