import type { ProductSnapshot } from '../events/catalog-events.js';

/**
 * How a read model can differ from the write model for one product (DESIGN rule 6), and the
 * contract each read model's checker fulfils for `aisle verify`.
 */
export const driftKinds = ['missing', 'stale', 'ahead', 'mismatch', 'orphan'] as const;
export type DriftKind = (typeof driftKinds)[number];

/** Repair errors kept per read model. */
export const MAX_REPAIR_ERRORS = 5;

/** What one read model holds for a page of products, compared with the write model. */
export interface DriftChecker {
  /** The drifted products of the page and how; products in sync are absent. */
  check(products: readonly ProductSnapshot[]): Promise<Map<string, DriftKind>>;
  /** Re-projects products from the write model; resolves how many writes took effect. */
  repair(products: readonly ProductSnapshot[], errors: string[]): Promise<number>;
  /** Documents the read model holds for ids the write model does not have. */
  readonly orphans: OrphanScan;
}

/**
 * A read model that is not kept per product (merchandising): small, so it is compared whole with
 * the write model after the product scan. Its findings name its own items (rule ids, ...).
 */
export interface WholeModelChecker {
  /** The drifted items and how; items in sync are absent. */
  check(): Promise<Map<string, DriftKind>>;
  /** Puts these items again from the write model (or removes them); how many writes took effect. */
  repair(items: readonly string[]): Promise<number>;
}

/**
 * The ids a read model holds, page by page, and how to remove some of them. An id the write
 * model does not have (or that is not spelled as the write model spells ids: a canonical
 * lowercase UUID) is an orphan: a second identity, or a leftover of a deleted test row.
 */
export interface OrphanScan {
  ids(pageSize: number): AsyncIterable<readonly string[]>;
  remove(ids: readonly string[]): Promise<number>;
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Of the ids a read model holds, those that name no product of the write model. */
export function orphanIds(ids: readonly string[], known: ReadonlySet<string>): string[] {
  return ids.filter((id) => !CANONICAL_UUID.test(id) || !known.has(id));
}

/** Missing, stale (lower), ahead (higher: should never happen), or same version and content. */
export function versionDrift(
  stored: number | undefined,
  expected: number,
  contentMatches: () => boolean,
): DriftKind | undefined {
  if (stored === undefined) return 'missing';
  if (stored < expected) return 'stale';
  if (stored > expected) return 'ahead';
  return contentMatches() ? undefined : 'mismatch';
}

/** Classifies each product against what the read model holds for it (same order). */
export function drifted<T>(
  products: readonly ProductSnapshot[],
  stored: readonly T[],
  classify: (product: ProductSnapshot, stored: T) => DriftKind | undefined,
): Map<string, DriftKind> {
  const found = new Map<string, DriftKind>();
  products.forEach((product, i) => {
    const kind = classify(product, stored[i] as T);
    if (kind !== undefined) found.set(product.id, kind);
  });
  return found;
}
