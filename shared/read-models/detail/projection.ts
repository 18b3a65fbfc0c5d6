import type { CatalogEvent } from '../../events/catalog-events.js';
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
 * The category read model: one hash field per category, also never lowered in version. ARGV[4]
 * = '1' also lets an equal version overwrite (`aisle rebuild detail`, repairs).
 */
const PUT_CATEGORY = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local held = tonumber(cjson.decode(current)['version'])
  local incoming = tonumber(ARGV[2])
  if held > incoming or (held == incoming and ARGV[4] ~= '1') then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
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
    id: string,
    version: number,
    json: string,
    overwriteEqual: '1' | '0',
  ): Promise<number>;
}

export interface DetailProjection {
  /** Resolves true when the event changed the read model, false when it was stale. */
  apply(event: CatalogEvent): Promise<boolean>;
}

export interface DetailProjectionOptions {
  /** Let an event at the stored version rewrite the document (repair of content drift). */
  readonly overwriteEqual?: boolean;
}

export function detailProjection(
  redis: Redis,
  prefix: string,
  options: DetailProjectionOptions = {},
): DetailProjection {
  redis.defineCommand('aislePutProduct', { numberOfKeys: 1, lua: PUT_PRODUCT });
  redis.defineCommand('aislePutCategory', { numberOfKeys: 1, lua: PUT_CATEGORY });
  const commands = redis as unknown as DetailCommands;
  return {
    apply: async (event) => {
      if (event.aggregate === 'category') {
        const json = JSON.stringify(event.snapshot);
        return (
          (await commands.aislePutCategory(
            detailKeys.categories(prefix),
            event.categoryId,
            event.version,
            json,
            options.overwriteEqual === true ? '1' : '0',
          )) === 1
        );
      }
      const visible = event.snapshot.status === 'published';
      const body = visible ? renderProductDetail(event.snapshot) : '';
      const etag = visible ? detailEtag(body) : '';
      const key = detailKeys.product(prefix, event.productId);
      return (
        (await commands.aislePutProduct(
          key,
          event.version,
          etag,
          body,
          detailKeys.versions(prefix),
          event.productId,
          options.overwriteEqual === true ? '1' : '0',
        )) === 1
      );
    },
  };
}
