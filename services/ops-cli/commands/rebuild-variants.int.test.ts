// Both rebuilds (search: a new index and an alias swap; detail: in place), at once, while variant
// commands keep coming (prices, stock, variants added and removed): when the dust settles every
// search and detail document is what the write model renders at its current version.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { FullProductSnapshot } from '../../../shared/events/catalog-events.js';
import { rebuildDetail } from '../../../shared/read-models/detail/rebuild.js';
import { rebuildSearch } from '../../../shared/read-models/search/rebuild.js';
import { liveCommands, slowedBulkIndex } from '../../../test/support/live-commands.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import {
  createTee,
  current,
  eur,
  productAdmin,
  readModelsMatchWriteModel,
} from '../../../test/support/variant-ops.js';

/** Variant commands on `products` until stopped: prices, stock, and a variant added then removed. */
function variantCommandLoop(p: Pipeline, products: readonly FullProductSnapshot[], workers = 4) {
  /** Per worker, the variant it added last and removes next. */
  const added: ({ product: string; variant: string } | undefined)[] = [];
  return liveCommands(workers, async (w, k) => {
    const product = products[(w * 7 + k * 13) % products.length] as FullProductSnapshot;
    const variant = product.variants[k % product.variants.length]?.id ?? '';
    const at = `/${product.id}/variants`;
    const kind = (w + k) % 4;
    if (kind === 0) return productAdmin(p, 'PUT', `${at}/${variant}/price`, eur(2000 + k));
    if (kind === 1) {
      return productAdmin(p, 'POST', `${at}/${variant}/stock-adjustments`, {
        warehouse: `w${w}`,
        delta: 1 + (k % 5),
        reason: 'delivery',
      });
    }
    const mine = added[w];
    if (mine !== undefined) {
      added[w] = undefined;
      return productAdmin(p, 'DELETE', `/${mine.product}/variants/${mine.variant}`);
    }
    const res = await productAdmin(p, 'POST', at, {
      id: randomUUID(),
      sku: `LIVE-${w}-${k}-${randomUUID().slice(0, 6)}`,
      options: { color: `c${w}-${k}`, size: 'S' },
      price: eur(500 + k),
      stock: { main: 1 },
    });
    // 409: a concurrent command on the product won the race; fine.
    if (res.statusCode === 201) {
      added[w] = { product: product.id, variant: res.json<{ variantId: string }>().variantId };
    }
    return res;
  });
}

// The live variant commands leave thousands of small ClickHouse parts in this file's namespace;
// dropping it at teardown can take minutes on a busy box (each DROP is bounded, with a retry),
// longer than the suite's 180 s default.
t.setTimeout(480_000);

t.test('Rebuilds under live variant commands lose no variant change', async (t) => {
  const p = await startPipeline(t);
  const ids: string[] = [];
  for (let i = 0; i < 40; i += 10) {
    ids.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => createTee(p, i + j)))));
  }
  await readModelsMatchWriteModel(p, ids);
  const products = await Promise.all(ids.map((id) => current(p, id)));

  const loop = variantCommandLoop(p, products);
  const before = loop.sent;
  // Both at once, inside the live traffic: the slowed search backfill keeps the window open.
  const [searchReport, detailReport] = await Promise.all([
    rebuildSearch(
      {
        config: p.config,
        engine: slowedBulkIndex(p.search.client, 25),
        redis: p.redis.client,
        pool: p.write.pool,
      },
      { pageSize: 4 },
    ),
    rebuildDetail({ config: p.config, redis: p.redis.client, pool: p.write.pool }, { pageSize: 4 }),
  ]);
  const during = loop.sent - before;
  await new Promise((resolve) => setTimeout(resolve, 300)); // live traffic right after the swap
  await loop.stop();
  t.same(loop.errors, [], 'no command failed');
  t.ok(during > 20, `variant commands kept flowing during the rebuilds (${during})`);
  t.same(searchReport.warnings, []);
  t.equal(detailReport.products, ids.length);

  const variantEvents = await p.write.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM outbox WHERE event_type IN
       ('VariantPriceChanged', 'VariantStockAdjusted', 'VariantAdded', 'VariantRemoved')`,
  );
  t.ok(Number(variantEvents.rows[0]?.n) > 20, `${variantEvents.rows[0]?.n} variant events`);
  await readModelsMatchWriteModel(p, ids);
  t.pass('every search and detail document equals the write model at its current version');
});
