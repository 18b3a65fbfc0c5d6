import { createHash } from 'node:crypto';
import type { ProductSnapshot } from '../../events/catalog-events.js';

/**
 * The public product detail, rendered once by the detail projector; GET /v1/products/:id answers
 * these exact bytes. Warehouse-level stock stays private; the storefront sees availability.
 *
 * Every object is built in a fixed key order (attributes sorted by name): snapshots come back
 * from the outbox's jsonb with keys reordered, and the same version must always give the same
 * bytes and ETag, whichever path (event, rebuild, verify) rendered it.
 */
export function renderProductDetail(p: ProductSnapshot): string {
  return JSON.stringify({
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    attributes: Object.fromEntries(
      Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
    images: p.images,
    price:
      p.price === null ? null : { amountMinor: p.price.amountMinor, currency: p.price.currency },
    availability: { inStock: p.stock.available > 0, available: p.stock.available },
    updatedAt: p.updatedAt,
    version: p.version,
  });
}

/** Strong ETag of the exact bytes, so a change of rendering also changes the tag. */
export function detailEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Redis key names of the detail read model, under the configured prefix. */
export const detailKeys = {
  product: (prefix: string, id: string): string => `${prefix}:detail:product:${id}`,
  categories: (prefix: string): string => `${prefix}:detail:categories`,
  /** Pub/sub channel announcing `<id> <version>` whenever a product document changes. */
  versions: (prefix: string): string => `${prefix}:detail:versions`,
} as const;
