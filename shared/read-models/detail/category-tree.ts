import type { CategorySnapshot } from '../../events/catalog-events.js';

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

/**
 * The categories that are roots of the tree: those with no parent, orphans whose parent is unknown,
 * and one member of each parent cycle (pure). Events of different categories may arrive out of
 * order (DESIGN rule 3), so the read model can hold a child's move before its parent's: C under
 * B and B under C for a moment. Both would be unreachable; instead the member whose snapshot is
 * oldest (its parent link the likeliest stale) stands as a root until the missing event arrives.
 */
function rootsOf(categories: readonly CategorySnapshot[]): Set<string> {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const roots = new Set<string>();
  // 0 unvisited, 1 on the current parent chain, 2 known to reach a root
  const state = new Map<string, 1 | 2>();
  for (const start of categories) {
    const chain: CategorySnapshot[] = [];
    let at: CategorySnapshot | undefined = start;
    while (at !== undefined && state.get(at.id) === undefined) {
      state.set(at.id, 1);
      chain.push(at);
      const parent: CategorySnapshot | undefined =
        at.parentId === null ? undefined : byId.get(at.parentId);
      if (parent === undefined) roots.add(at.id);
      at = parent;
    }
    if (at !== undefined && state.get(at.id) === 1) {
      const cycle = chain.slice(chain.indexOf(at));
      roots.add(cycle.reduce((oldest, c) => (olderThan(c, oldest) ? c : oldest)).id);
    }
    for (const c of chain) state.set(c.id, 2);
  }
  return roots;
}

const olderThan = (a: CategorySnapshot, b: CategorySnapshot): boolean =>
  a.updatedAt < b.updatedAt || (a.updatedAt === b.updatedAt && a.id < b.id);

/**
 * Builds the tree from category snapshots (pure): orphans whose parent is unknown become roots,
 * and so does one member of each transient parent cycle (rootsOf), so every category is in it.
 */
export function buildCategoryTree(categories: readonly CategorySnapshot[]): CategoryTree {
  const roots = rootsOf(categories);
  const byParent = new Map<string | null, CategorySnapshot[]>();
  for (const c of categories) {
    const parent = roots.has(c.id) ? null : c.parentId;
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
  const rootNodes = (byParent.get(null) ?? [])
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => node(c, seen));
  const index = new Map<string, CategoryNode>();
  const walk = (n: CategoryNode): void => {
    index.set(n.id, n);
    n.children.forEach(walk);
  };
  rootNodes.forEach(walk);
  return {
    roots: rootNodes,
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
