import type {
  CatalogEvent,
  CategorySnapshot,
  ProductSnapshot,
} from '../../events/catalog-events.js';
import { BUMP_CATEGORY_REVISION } from './category-revision.js';
import { renderCategory } from './category-tree.js';
import { detailEtag, detailKeys, renderProductDetail } from './document.js';
import type { Redis } from '../../stores/redis.js';

/**
 * Writes a product document only if its version is newer than the stored one. Removal keeps a
 * tombstone (version, empty body) so an older event arriving later cannot bring the product
 * back. Every change is announced on a channel for read-your-writes waiters. ARGV[6] = '1' also
 * lets an equal version overwrite (repairs by `aisle verify --repair`).
 */
const PUT_PRODUCT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local incoming = tonumber(ARGV[1])
if current > incoming or (current == incoming and ARGV[6] ~= '1') then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'etag', ARGV[2], 'body', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5] .. ' ' .. ARGV[1])
return 1
`;

/**
 * The category read model: one hash field per category, also never lowered in version. A deleted
 * category keeps a tombstone field (`{"id","version","deleted":true}`), as a product keeps its
 * hash, so an older event arriving later cannot bring it back. ARGV[4] = '1' also lets an equal
 * version overwrite (`aisle rebuild detail`, repairs).
 */
const PUT_CATEGORY = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local held = tonumber(cjson.decode(current)['version'])
  local incoming = tonumber(ARGV[2])
  if held > incoming or (held == incoming and ARGV[4] ~= '1') then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
${BUMP_CATEGORY_REVISION}
return 1
`;

interface DetailCommands {
  aislePutProduct(
    key: string,
    version: number,
    etag: string,
    body: string,
    channel: string,
    id: string,
    overwriteEqual: '1' | '0',
  ): Promise<number>;
  aislePutCategory(
    key: string,
    revisionKey: string,
    id: string,
    version: number,
    json: string,
    overwriteEqual: '1' | '0',
  ): Promise<number>;
}

export interface DetailProjection {
  /** Resolves true when the event changed the read model, false when it was stale. */
  apply(event: CatalogEvent): Promise<boolean>;
  /** Puts a product's snapshot at its version, as its event would (rebuild, repair). */
  putProduct(snapshot: ProductSnapshot): Promise<boolean>;
  /** Puts a category's snapshot at its version, as its event would (rebuild, repair). */
  putCategory(snapshot: CategorySnapshot): Promise<boolean>;
}

export interface DetailProjectionOptions {
  /** Let a snapshot at the stored version rewrite the document (repair of content drift). */
  readonly overwriteEqual?: boolean;
}

export function detailProjection(
  redis: Redis,
  prefix: string,
  options: DetailProjectionOptions = {},
): DetailProjection {
  redis.defineCommand('aislePutProduct', { numberOfKeys: 1, lua: PUT_PRODUCT });
  redis.defineCommand('aislePutCategory', { numberOfKeys: 2, lua: PUT_CATEGORY });
  const commands = redis as unknown as DetailCommands;
  const overwriteEqual = options.overwriteEqual === true ? '1' : '0';

  const putCategory = async (id: string, version: number, snapshot: CategorySnapshot) =>
    (await commands.aislePutCategory(
      detailKeys.categories(prefix),
      detailKeys.categoryRevision(prefix),
      id,
      version,
      renderCategory(snapshot),
      overwriteEqual,
    )) === 1;

  const putProduct = async (id: string, version: number, snapshot: ProductSnapshot) => {
    const visible = snapshot.status === 'published';
    const body = visible ? renderProductDetail(snapshot) : '';
    const etag = visible ? detailEtag(body) : '';
    return (
      (await commands.aislePutProduct(
        detailKeys.product(prefix, id),
        version,
        etag,
        body,
        detailKeys.versions(prefix),
        id,
        overwriteEqual,
      )) === 1
    );
  };

  return {
    apply: async (event) => {
      switch (event.aggregate) {
        case 'category':
          return putCategory(event.categoryId, event.version, event.snapshot);
        case 'product':
          return putProduct(event.productId, event.version, event.snapshot);
        default:
          // Merchandising has a read model of its own (read-models/merchandising).
          return false;
      }
    },
    putProduct: (snapshot) => putProduct(snapshot.id, snapshot.version, snapshot),
    putCategory: (snapshot) => putCategory(snapshot.id, snapshot.version, snapshot),
  };
}
