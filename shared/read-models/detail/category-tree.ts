import type { CategorySnapshot } from '../../events/catalog-events.js';
import { detailKeys } from './document.js';
import type { Redis } from '../../stores/redis.js';

export interface CategoryNode {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly children: readonly CategoryNode[];
}

export interface CategoryTree {
  readonly roots: readonly CategoryNode[];
  readonly size: number;
  has(id: string): boolean;
  /** The category and every category below it (for "category includes descendants"). */
  descendantsOf(id: string): string[];
}

/** Builds the tree from category snapshots (pure); orphans whose parent is unknown become roots. */
export function buildCategoryTree(categories: readonly CategorySnapshot[]): CategoryTree {
  const byParent = new Map<string | null, CategorySnapshot[]>();
  const known = new Set(categories.map((c) => c.id));
  for (const c of categories) {
    const parent = c.parentId !== null && known.has(c.parentId) ? c.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), c]);
  }
  const node = (c: CategorySnapshot, seen: Set<string>): CategoryNode => {
    seen.add(c.id);
    const children = (byParent.get(c.id) ?? [])
      .filter((child) => !seen.has(child.id))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((child) => node(child, seen));
    return { id: c.id, slug: c.slug, name: c.name, parentId: c.parentId, children };
  };
  const seen = new Set<string>();
  const roots = (byParent.get(null) ?? [])
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => node(c, seen));
  const index = new Map<string, CategoryNode>();
  const walk = (n: CategoryNode): void => {
    index.set(n.id, n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return {
    roots,
    size: index.size,
    has: (id) => index.has(id),
    descendantsOf: (id) => {
      const start = index.get(id);
      if (start === undefined) return [];
      const out: string[] = [];
      const collect = (n: CategoryNode): void => {
        out.push(n.id);
        n.children.forEach(collect);
      };
      collect(start);
      return out;
    },
  };
}

/** What a deleted category leaves in the read model: enough to refuse older events. */
export interface CategoryTombstone {
  readonly id: string;
  readonly version: number;
  readonly deleted: true;
}

/** The hash field of one category: its snapshot, or a tombstone once deleted. */
export function renderCategory(snapshot: CategorySnapshot): string {
  if (snapshot.deleted !== true) return JSON.stringify(snapshot);
  const tombstone: CategoryTombstone = {
    id: snapshot.id,
    version: snapshot.version,
    deleted: true,
  };
  return JSON.stringify(tombstone);
}

/** The live categories among stored fields: tombstones are left out (pure). */
export function liveCategories(fields: Iterable<string>): CategorySnapshot[] {
  const live: CategorySnapshot[] = [];
  for (const json of fields) {
    const stored = JSON.parse(json) as CategorySnapshot | CategoryTombstone;
    if (stored.deleted !== true) live.push(stored);
  }
  return live;
}

/**
 * The category read model written by the detail projector: one hash field per category, the
 * tree built from the live ones. Storefront categories and search both read it from here.
 */
export async function loadCategoryTree(redis: Redis, prefix: string): Promise<CategoryTree> {
  const fields = await redis.hgetall(detailKeys.categories(prefix));
  return buildCategoryTree(liveCategories(Object.values(fields)));
}
