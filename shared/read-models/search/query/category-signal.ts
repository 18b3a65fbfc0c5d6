import type { CategoryNode, CategoryTree } from '../../detail/category-tree.js';
import { termKey, words } from './text.js';

/** At most this many category ids are sent as the category relevance signal. */
export const MAX_SIGNAL_CATEGORIES = 200;

/**
 * The name words of each category node, made once per node: catalog-read keeps a tree until a
 * category changes, so each name is tokenized once per change, not once per search.
 */
const nameKeysOf = new WeakMap<CategoryNode, readonly string[]>();

function nameKeys(node: CategoryNode): readonly string[] {
  let keys = nameKeysOf.get(node);
  if (keys === undefined) {
    keys = words(node.name).map(termKey);
    nameKeysOf.set(node, keys);
  }
  return keys;
}

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
    const keys = nameKeys(node);
    const named = keys.length > 0 && wordSets.some((set) => keys.every((key) => set.has(key)));
    if (named) for (const id of tree.descendantsOf(node.id)) out.add(id);
    node.children.forEach(visit);
  };
  tree.roots.forEach(visit);
  return [...out].slice(0, MAX_SIGNAL_CATEGORIES);
}
