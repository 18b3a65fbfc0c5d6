import { isDeepStrictEqual } from 'node:util';
import { mapLimit } from '../../map-limit.js';
import type { SearchEngine } from '../../stores/search/engine.js';
import { drifted, MAX_REPAIR_ERRORS, versionDrift, type DriftChecker } from '../drift.js';
import { searchDocument } from './document.js';

/**
 * The search read model against the write model: each product's document, read by id through
 * the alias (GET by id is real-time: no refresh needed), must be at the product's version with
 * exactly the document the projection renders. Repair indexes the write model's document with
 * external versioning, so a newer live event always wins; an equal version is left alone
 * (content drift at the same version needs `aisle rebuild search`).
 */
export function searchChecker(
  engine: SearchEngine,
  alias: string,
  concurrency: number,
): DriftChecker {
  return {
    async check(products) {
      const docs = await mapLimit(products, concurrency, (p) => engine.getDocument(alias, p.id));
      return drifted(products, docs, (p, doc) =>
        versionDrift(doc?.version, p.version, () =>
          isDeepStrictEqual(doc?.source, searchDocument(p)),
        ),
      );
    },
    async repair(products, errors) {
      if (products.length === 0) return 0;
      const results = await engine.bulkIndex(
        alias,
        products.map((p) => ({ id: p.id, version: p.version, document: searchDocument(p) })),
      );
      let applied = 0;
      results.forEach((result, i) => {
        if (result.status >= 200 && result.status < 300) applied++;
        else if (result.status !== 409 && errors.length < MAX_REPAIR_ERRORS) {
          const reason = `${result.status} ${result.errorType ?? ''} ${result.reason ?? ''}`;
          errors.push(`${products[i]?.id ?? '?'}: ${reason.trim()}`);
        }
      });
      return applied;
    },
    orphans: {
      ids: (pageSize) => documentIds(engine, alias, pageSize),
      async remove(ids) {
        const results = await engine.bulkDelete(alias, ids);
        return results.filter((r) => r.status >= 200 && r.status < 300).length;
      },
    },
  };
}

/** Every document id behind the alias, tombstones included, in id order (search_after). */
async function* documentIds(
  engine: SearchEngine,
  alias: string,
  pageSize: number,
): AsyncGenerator<string[]> {
  let after: unknown[] | undefined;
  for (;;) {
    const page = await engine.search(alias, {
      size: pageSize,
      query: { match_all: {} },
      _source: ['id'],
      sort: [{ id: 'asc' }],
      track_total_hits: false,
      ...(after === undefined ? {} : { search_after: after }),
    });
    const hits = page.hits.hits;
    if (hits.length === 0) return;
    yield hits.map((h) => h._id);
    const last = hits[hits.length - 1];
    if (last?.sort === undefined || hits.length < pageSize) return;
    after = last.sort;
  }
}
