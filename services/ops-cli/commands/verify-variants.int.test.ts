// `aisle verify` on products with variants (issue 9): a variant drifted in search (a rendering
// without it, at the current version), a lost variant price event (stale everywhere) and a
// detail page with another variant price are found; --repair mends what the version guards let
// it, `aisle rebuild search` the rest, and search and detail answer with the variants again.
// Real stores, the real pipeline; every expectation is computed from the write model.
import t from 'tap';
import { memoryOutput } from '../../../shared/cli/output.js';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import { searchDocument } from '../../../shared/read-models/search/document.js';
import { productIndexNames } from '../../../shared/read-models/search/index-setup.js';
import { rebuildSearch } from '../../../shared/read-models/search/rebuild.js';
import type { SearchResult } from '../../../shared/read-models/search/query/response.js';
import { runProductCommand } from '../../../shared/write-model/products/commands.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import {
  createTee,
  current,
  eur,
  readModelsMatchWriteModel,
} from '../../../test/support/variant-ops.js';
import { verify, type VerifyStores } from './verify.js';

const storesOf = (p: Pipeline): VerifyStores => ({
  pool: p.write.pool,
  redis: p.redis.client,
  search: p.search.client,
  clickhouse: p.clickhouse.client,
  redisKeyPrefix: p.config.redisKeyPrefix,
  searchAlias: p.alias,
});

t.test(
  'verify finds a drifted variant in search and detail; repair and rebuild mend it',
  async (t) => {
    const p = await startPipeline(t);
    const rs = await startReadSide(t, p);
    const [a = '', b = '', c = '', d = ''] = await Promise.all(
      [1, 2, 3, 4].map((n) => createTee(p, n)),
    );
    const ids = [a, b, c, d];
    await readModelsMatchWriteModel(p, ids);

    // a: search holds, at the current version, a document without its grey-M variant (a bad
    //    rendering), in a fresh index behind the alias: the version guard keeps it from the projector.
    const productA = await current(p, a);
    const greyM = productA.variants[2];
    const names = productIndexNames(p.config.searchIndexPrefix);
    const [oldIndex = ''] = await p.search.client.aliasTargets(p.alias);
    const freshIndex = names.indexFor(2);
    await p.search.client.createIndex(freshIndex);
    const copies = [];
    for (const id of ids) {
      const product = await current(p, id);
      const shown = id === a ? { ...product, variants: product.variants.slice(0, 2) } : product;
      copies.push({ id, version: product.version, document: searchDocument(shown) });
    }
    await p.search.client.bulkIndex(freshIndex, copies);
    await p.search.client.updateAliases([
      { remove: { index: oldIndex, alias: p.alias } },
      { add: { index: freshIndex, alias: p.alias } },
    ]);
    await p.search.client.refresh(p.alias);

    // b: a variant price change whose event is lost (its outbox row never commits): stale in both.
    const bVariant = (await current(p, b)).variants[1]?.id ?? '';
    await runProductCommand(
      p.write.pool,
      b,
      { type: 'SetVariantPrice', variantId: bVariant, price: eur(99) },
      {
        correlationId: null,
        beforeCommit: async (client, snapshot) => {
          await client.query(
            'DELETE FROM outbox WHERE aggregate_id = $1 AND aggregate_version = $2',
            [b, snapshot.version],
          );
        },
      },
    );

    // c: the detail page at its version with another price on one variant.
    const cKey = detailKeys.product(p.config.redisKeyPrefix, c);
    const cBody = JSON.parse((await p.redis.client.hget(cKey, 'body')) ?? '{}') as {
      variants: { price: { amountMinor: number } }[];
    };
    const tampered = cBody.variants[0];
    if (tampered === undefined) throw new Error('no variant on the detail page');
    tampered.price.amountMinor = 1;
    await p.redis.client.hset(cKey, 'body', JSON.stringify(cBody));

    const searchFor = async (query: Record<string, string>) => {
      const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
      if (res.statusCode !== 200) throw new Error(`search: ${res.statusCode} ${res.body}`);
      return res.json<SearchResult>();
    };
    const greyMQuery = { 'attr.color': 'grey', 'attr.size': 'M', brand: 'Acme', size: '50' };
    t.notOk(
      (await searchFor(greyMQuery)).items.some((i) => i.id === a),
      'the drift shows: grey-M does not find a',
    );
    t.notOk(
      (await searchFor({ price_max: '100', size: '50' })).items.some((i) => i.id === b),
      'nor does b at its new price',
    );

    const run = async (repair: boolean) => {
      const report = await verify(
        storesOf(p),
        { projections: ['search', 'detail'], repair, pageSize: 3 },
        memoryOutput(),
      );
      const found = (projection: 'search' | 'detail') =>
        Object.fromEntries(
          Object.entries(report.projections[projection]?.examples ?? {})
            .filter(([, list]) => list.length > 0)
            .map(([kind, list]) => [kind, [...list].sort()]),
        );
      return { report, search: found('search'), detail: found('detail') };
    };
    const drifted = await run(false);
    t.same(drifted.search, { stale: [b], mismatch: [a] }, 'search: the stale and the bad variant');
    t.same(drifted.detail, { stale: [b], mismatch: [c] }, 'detail: the stale and the bad variant');

    const repaired = await run(true);
    t.match(repaired.report.projections.detail, { repaired: 2, unrepaired: 0, errors: [] });
    // Search repairs through external versions: the stale one is mended, an equal version is not.
    t.match(repaired.report.projections.search, { repaired: 1, unrepaired: 1, errors: [] });
    const left = await run(false);
    t.same(left.detail, {}, 'detail in sync');
    t.same(left.search, { mismatch: [a] }, 'search: only the equal-version document is left');

    const report = await rebuildSearch({
      config: p.config,
      engine: p.search.client,
      redis: p.redis.client,
      pool: p.write.pool,
    });
    t.same(report.warnings, []);
    t.same((await run(false)).search, {}, 'after aisle rebuild search, search is in sync');
    await readModelsMatchWriteModel(p, ids);

    const found = (await searchFor(greyMQuery)).items.find((i) => i.id === a);
    t.strictSame(found?.matchedVariants, [greyM?.id], 'grey-M finds a again, by that variant');
    t.strictSame(found?.priceRange, { min: 1001, max: 1401, currency: 'EUR' });
    const cheap = (await searchFor({ price_max: '100', size: '50' })).items.find((i) => i.id === b);
    t.strictSame(cheap?.matchedVariants, [bVariant], 'b at its new price, by that variant');
    const page = await rs.get(`/v1/products/${c}`);
    t.equal(
      page.json<{ variants: { price: { amountMinor: number } }[] }>().variants[0]?.price
        .amountMinor,
      1003,
      'c shows its real variant price',
    );
  },
);
