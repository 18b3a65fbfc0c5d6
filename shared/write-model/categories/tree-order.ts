import type { CategorySnapshot } from '../../events/catalog-events.js';

/** One category of the admin listing: the stored fields plus its depth (0 for a root). */
export interface ListedCategory {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly depth: number;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const byNameThenId = (a: CategorySnapshot, b: CategorySnapshot): number =>
  a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The categories as a flat list in depth-first order: every parent comes before its children,
 * siblings by name (then id, so the order is total). A client nests them by parentId in one pass
 * or indents by depth. A category whose parent is not in the list (cannot happen while the write
 * side refuses to delete a parent, but a list must never lose a row) is listed as a root.
 */
export function orderAsTree(categories: readonly CategorySnapshot[]): ListedCategory[] {
  const ids = new Set(categories.map((c) => c.id));
  const children = new Map<string | null, CategorySnapshot[]>();
  for (const c of categories) {
    const parent = c.parentId !== null && ids.has(c.parentId) ? c.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  const out: ListedCategory[] = [];
  const seen = new Set<string>();
  const visit = (c: CategorySnapshot, depth: number): void => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    out.push({
      id: c.id,
      slug: c.slug,
      name: c.name,
      parentId: c.parentId,
      depth,
      version: c.version,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    });
    for (const child of [...(children.get(c.id) ?? [])].sort(byNameThenId)) visit(child, depth + 1);
  };
  for (const root of [...(children.get(null) ?? [])].sort(byNameThenId)) visit(root, 0);
  // Rows on a parent cycle are never reached from a root; they are listed rather than dropped.
  for (const c of [...categories].sort(byNameThenId)) visit(c, 0);
  return out;
}
