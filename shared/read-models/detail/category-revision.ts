import type { Redis } from '../../stores/redis.js';
import { buildCategoryTree, liveCategories, type CategoryTree } from './category-tree.js';
import { detailKeys } from './document.js';

/**
 * The revision of the category read model, so that a reader can keep the tree it built and
 * rebuild it only when a category changed: reading and parsing every category for each search
 * cost about a millisecond of catalog-read's CPU. Every write to the categories hash bumps the
 * revision in the same script, atomically with the write.
 *
 * A revision is an epoch (Redis's clock when the revision hash was created) and a count. A
 * namespace dropped and filled again (`aisle reset`, a test) starts a new epoch, so a count that
 * starts over can never repeat a revision a running reader still holds.
 *
 * Lua: KEYS[2] is the revision hash. Included in the writers' scripts.
 */
export const BUMP_CATEGORY_REVISION = `
if redis.call('HINCRBY', KEYS[2], 'n', 1) == 1 then
  local now = redis.call('TIME')
  redis.call('HSET', KEYS[2], 'epoch', now[1] .. '.' .. now[2])
end
`;

/** Removes category fields (ARGV) and bumps the revision when any was there. */
const REMOVE_CATEGORIES = `
local removed = redis.call('HDEL', KEYS[1], unpack(ARGV))
if removed > 0 then
${BUMP_CATEGORY_REVISION}
end
return removed
`;

interface RevisionCommands {
  aisleRemoveCategories(key: string, revisionKey: string, ...ids: string[]): Promise<number>;
}

/** Removes these categories' fields from the read model (rebuild: orphans, corrupt values). */
export async function removeCategories(
  redis: Redis,
  prefix: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  redis.defineCommand('aisleRemoveCategories', { numberOfKeys: 2, lua: REMOVE_CATEGORIES });
  return (redis as unknown as RevisionCommands).aisleRemoveCategories(
    detailKeys.categories(prefix),
    detailKeys.categoryRevision(prefix),
    ...ids,
  );
}

const revisionOf = (fields: readonly (string | null)[]): string | undefined => {
  const [epoch, count] = fields;
  return epoch && count ? `${epoch}/${count}` : undefined;
};

/**
 * The category tree of a namespace, rebuilt only when its revision changed. The usual read is
 * one small HMGET. A read model without a revision (written before revisions existed, or empty)
 * is read whole every time, as it was before.
 */
export class CategoryTreeCache {
  private held: { readonly revision: string; readonly tree: CategoryTree } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async tree(): Promise<CategoryTree> {
    const revisionKey = detailKeys.categoryRevision(this.prefix);
    const revision = revisionOf(await this.redis.hmget(revisionKey, 'epoch', 'n'));
    if (revision !== undefined && this.held?.revision === revision) return this.held.tree;
    // The revision and the fields in one transaction: a tree is never held under a revision
    // older than the fields it was built from.
    const replies = await this.redis
      .multi()
      .hmget(revisionKey, 'epoch', 'n')
      .hgetall(detailKeys.categories(this.prefix))
      .exec();
    const [revisionReply, fieldsReply] = replies ?? [];
    if (revisionReply?.[0] || fieldsReply?.[0] || replies === null) {
      throw revisionReply?.[0] ?? fieldsReply?.[0] ?? new Error('category read aborted');
    }
    const fields = fieldsReply?.[1] as Record<string, string>;
    const tree = buildCategoryTree(liveCategories(Object.values(fields)));
    const built = revisionOf(revisionReply?.[1] as (string | null)[]);
    this.held = built === undefined ? undefined : { revision: built, tree };
    return tree;
  }
}
