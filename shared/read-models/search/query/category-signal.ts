import type { CategoryNode, CategoryTree } from '../../detail/category-tree.js';
import { termKey, words } from './text.js';

/** At most this many category ids are sent as the category relevance signal. */
export const MAX_SIGNAL_CATEGORIES = 200;

/**
 * The category-level relevance signal: categories whose every name word appears in the query
 * (or in one of its synonym alternatives), with their descendants. A query "trail shoes" names
 * the category "Shoes", so products filed under Shoes and below rank higher. Search documents
 * carry only the category id, so this is resolved here from the category tree.
 */
export function categoriesNamedIn(tree: CategoryTree, queries: readonly string[]): string[] {
  const wordSets = queries.map((q) => new Set(words(q).map(termKey)));
  const out = new Set<string>();
  const visit = (node: CategoryNode): void => {
    const nameKeys = words(node.name).map(termKey);
    const named =
      nameKeys.length > 0 && wordSets.some((set) => nameKeys.every((key) => set.has(key)));
    if (named) for (const id of tree.descendantsOf(node.id)) out.add(id);
    node.children.forEach(visit);
  };
  tree.roots.forEach(visit);
  return [...out].slice(0, MAX_SIGNAL_CATEGORIES);
}
