import type { CategorySnapshot } from '../../events/catalog-events.js';
import { assertNever } from '../../assert-never.js';
import { DomainError, rule } from '../domain-error.js';

export const categoryLimits = {
  slugPattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  slugMax: 64,
  nameMax: 100,
} as const;

export interface CategoryFields {
  readonly slug: string;
  readonly name: string;
  readonly parentId?: string | null;
}

export type CategoryPatch = Partial<CategoryFields>;

export type CategoryCommand =
  | { readonly type: 'CreateCategory'; readonly id: string; readonly fields: CategoryFields }
  | { readonly type: 'ChangeCategory'; readonly patch: CategoryPatch }
  | { readonly type: 'DeleteCategory' };

/** What is filed under a category: a delete needs both to be zero. */
export interface CategoryContents {
  /** Live child categories. */
  readonly children: number;
  /** Live (not deleted) products whose category it is; counted up to a cap, see `capped`. */
  readonly liveProducts: number;
  /** True when liveProducts stopped at the counting cap (there may be more). */
  readonly capped?: boolean;
}

/** What the rules need to know about the tree around the change, loaded by the caller. */
export interface TreeFacts {
  /** The new parent's ancestors, nearest first, including the parent itself; empty for a root. */
  readonly parentLineage: readonly string[];
  /** What the category holds; loaded for a delete only. */
  readonly contents?: CategoryContents;
}

export interface CategoryDecision {
  readonly type: 'CategoryCreated' | 'CategoryChanged' | 'CategoryDeleted';
  readonly category: CategorySnapshot;
  readonly changes: { readonly fields: readonly string[] };
}

/**
 * The category rules: valid slug and name, no category under itself or its descendants, and a
 * delete only of an empty category (no live child, no live product).
 */
export function decideCategory(
  command: CategoryCommand,
  current: CategorySnapshot | undefined,
  tree: TreeFacts,
  now: string,
): CategoryDecision {
  switch (command.type) {
    case 'CreateCategory': {
      const { slug, name, parentId = null } = command.fields;
      checkFields(slug, name);
      if (parentId === command.id) {
        throw new DomainError('category_cycle', 'a category cannot be its own parent', 'parentId');
      }
      const category = {
        id: command.id,
        slug,
        name,
        parentId,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      return {
        type: 'CategoryCreated',
        category,
        changes: { fields: ['name', 'parentId', 'slug'] },
      };
    }
    case 'ChangeCategory': {
      if (current === undefined || current.deleted === true) {
        throw new DomainError('invalid_transition', 'the category does not exist');
      }
      const next = { ...current, ...definedOnly(command.patch) };
      checkFields(next.slug, next.name);
      if (
        next.parentId !== null &&
        (next.parentId === current.id || tree.parentLineage.includes(current.id))
      ) {
        throw new DomainError(
          'category_cycle',
          'a category cannot be placed under itself or its descendants',
          'parentId',
        );
      }
      const fields = (['slug', 'name', 'parentId'] as const).filter((f) => next[f] !== current[f]);
      if (fields.length === 0) throw rule('the patch changes nothing');
      return {
        type: 'CategoryChanged',
        category: { ...next, updatedAt: now, version: current.version + 1 },
        changes: { fields: [...fields].sort() },
      };
    }
    case 'DeleteCategory':
      return decideDeletion(current, tree.contents, now);
    default:
      return assertNever(command);
  }
}

function decideDeletion(
  current: CategorySnapshot | undefined,
  contents: CategoryContents | undefined,
  now: string,
): CategoryDecision {
  if (current === undefined || current.deleted === true) {
    throw new DomainError('invalid_transition', 'the category does not exist');
  }
  if (contents === undefined) throw new Error('a category delete needs the category contents');
  if (contents.children > 0 || contents.liveProducts > 0) {
    throw new DomainError('category_not_empty', notEmptyMessage(contents));
  }
  return {
    type: 'CategoryDeleted',
    category: { ...current, updatedAt: now, version: current.version + 1, deleted: true },
    changes: { fields: ['deleted'] },
  };
}

function notEmptyMessage({ children, liveProducts, capped = false }: CategoryContents): string {
  const held: string[] = [];
  if (children > 0) held.push(children === 1 ? '1 child category' : `${children} child categories`);
  if (liveProducts > 0) {
    held.push(
      capped
        ? `${liveProducts} or more live products`
        : `${liveProducts} live product${liveProducts === 1 ? '' : 's'}`,
    );
  }
  return `the category still holds ${held.join(' and ')}; move or delete them first`;
}

function checkFields(slug: string, name: string): void {
  if (slug.length > categoryLimits.slugMax || !new RegExp(categoryLimits.slugPattern).test(slug)) {
    throw rule('slug must be lowercase words joined by hyphens', 'slug');
  }
  if (name.trim().length === 0 || name.length > categoryLimits.nameMax) {
    throw rule(`name must be 1 to ${categoryLimits.nameMax} characters`, 'name');
  }
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
