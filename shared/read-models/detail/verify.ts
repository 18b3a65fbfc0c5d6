import { mapLimit } from '../../map-limit.js';
import type { Redis } from '../../stores/redis.js';
import { drifted, versionDrift, type DriftChecker } from '../drift.js';
import { detailEtag, detailKeys, renderProductDetail } from './document.js';
import { detailProjection } from './projection.js';
import { productKeyIds } from './scan.js';

/**
 * The detail read model against the write model: a published product's hash must hold its
 * version, the exact rendered bytes and their ETag; any other product a tombstone (version,
 * empty body). Repair puts the snapshot through the projection's compare-and-set, allowing an
 * equal version to rewrite (content drift), never a newer one.
 */
export function detailChecker(redis: Redis, prefix: string, concurrency: number): DriftChecker {
  const repairing = detailProjection(redis, prefix, { overwriteEqual: true });
  return {
    async check(products) {
      // Issued together, so ioredis pipelines them on its one connection.
      const hashes = await Promise.all(
        products.map((p) =>
          redis.hmget(detailKeys.product(prefix, p.id), 'version', 'etag', 'body'),
        ),
      );
      return drifted(products, hashes, (p, [version, etag, body]) =>
        versionDrift(version === null ? undefined : Number(version), p.version, () => {
          if (p.status !== 'published') return body === '' && etag === '';
          const expected = renderProductDetail(p);
          return body === expected && etag === detailEtag(expected);
        }),
      );
    },
    async repair(products) {
      const changed = await mapLimit(products, concurrency, (p) => repairing.putProduct(p));
      return changed.filter(Boolean).length;
    },
    orphans: {
      ids: (pageSize) => productKeyIds(redis, prefix, pageSize),
      async remove(ids) {
        if (ids.length === 0) return 0;
        return redis.unlink(...ids.map((id) => detailKeys.product(prefix, id)));
      },
    },
  };
}
