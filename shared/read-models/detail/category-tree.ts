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

/** The category read model written by the detail projector: one hash field per category. */
export async function loadCategoryTree(redis: Redis, prefix: string): Promise<CategoryTree> {
  const fields = await redis.hgetall(detailKeys.categories(prefix));
  return buildCategoryTree(
    Object.values(fields).map((json) => JSON.parse(json) as CategorySnapshot),
  );
}
