/**
 * Options and variants in their normalized tables (migration 0006): product_options,
 * product_variants, variant_attributes, variant_prices and variant_stock_levels. The product
 * repository loads them with the product in the same statement and calls the writers here; SKU
 * uniqueness across products and variants is the sku_registry's, kept by triggers.
 */
import type { FullProductSnapshot, Money, VariantSnapshot } from '../../events/catalog-events.js';
import type { PoolClient } from '../../stores/postgres.js';
import {
  attributesJson,
  attributesOf,
  insertAttributes,
  type AttributeRow,
} from './attribute-rows.js';

/** The product's option names, in order. */
export const OPTIONS_COLUMN = `
  (SELECT array_agg(o.name ORDER BY o.position)
     FROM product_options o WHERE o.product_id = p.id) AS options`;

/** The product's variants with their attributes, price and stock, in position order. */
export const VARIANTS_COLUMN = `
  (SELECT json_agg(json_build_object(
            'id', v.id, 'sku', v.sku, 'values', v.option_values, 'images', v.images,
            'amount_minor', vp.amount_minor, 'currency', vp.currency,
            'attributes', ${attributesJson('variant_attributes', 'variant_id', 'v.id')},
            'stock', (SELECT json_object_agg(s.warehouse, s.on_hand ORDER BY s.warehouse)
                        FROM variant_stock_levels s WHERE s.variant_id = v.id))
          ORDER BY v.position)
     FROM product_variants v LEFT JOIN variant_prices vp ON vp.variant_id = v.id
    WHERE v.product_id = p.id) AS variants`;

export interface VariantRow {
  id: string;
  sku: string;
  values: string[];
  images: string[];
  amount_minor: number | null;
  currency: string | null;
  attributes: AttributeRow[] | null;
  stock: Record<string, number> | null;
}

export function toVariants(
  options: readonly string[],
  rows: readonly VariantRow[] | null,
): VariantSnapshot[] {
  return (rows ?? []).map((row) => {
    const byWarehouse = row.stock ?? {};
    return {
      id: row.id,
      sku: row.sku,
      options: Object.fromEntries(options.map((name, i) => [name, row.values[i] ?? ''])),
      attributes: attributesOf(row.attributes),
      images: row.images,
      price: moneyOf(row.amount_minor, row.currency),
      stock: {
        available: Object.values(byWarehouse).reduce((sum, n) => sum + n, 0),
        byWarehouse,
      },
    };
  });
}

export function moneyOf(
  amountMinor: string | number | null,
  currency: string | null,
): Money | null {
  return amountMinor === null || currency === null
    ? null
    : { amountMinor: Number(amountMinor), currency };
}

interface PlacedVariant {
  readonly productId: string;
  readonly options: readonly string[];
  readonly variant: VariantSnapshot;
  readonly updatedAt: string;
}

/** Options and variants of newly inserted products. */
export async function insertOptionsAndVariants(
  client: PoolClient,
  products: readonly FullProductSnapshot[],
): Promise<void> {
  await writeOptions(client, products);
  await insertVariants(
    client,
    products.flatMap((p) =>
      p.variants.map((variant) => ({
        productId: p.id,
        options: p.options,
        variant,
        updatedAt: p.updatedAt,
      })),
    ),
  );
}

async function writeOptions(
  client: PoolClient,
  products: readonly FullProductSnapshot[],
): Promise<void> {
  const rows = products.flatMap((p) => p.options.map((name, position) => ({ p, name, position })));
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO product_options (product_id, position, name)
     SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::text[])`,
    [rows.map((r) => r.p.id), rows.map((r) => r.position), rows.map((r) => r.name)],
  );
}

/**
 * Inserts variants after the product's last position (0 onwards for a new product), in the
 * order given.
 */
async function insertVariants(client: PoolClient, placed: readonly PlacedVariant[]): Promise<void> {
  if (placed.length === 0) return;
  await client.query(
    `INSERT INTO product_variants (id, product_id, sku, position, option_values, images)
     SELECT t.id, t.product_id, t.sku,
            coalesce((SELECT max(v.position) + 1 FROM product_variants v
                       WHERE v.product_id = t.product_id), 0)
              + (row_number() OVER (PARTITION BY t.product_id ORDER BY t.ord))::int - 1,
            ARRAY(SELECT jsonb_array_elements_text(t.option_values)),
            ARRAY(SELECT jsonb_array_elements_text(t.images))
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[])
              WITH ORDINALITY AS t(id, product_id, sku, option_values, images, ord)`,
    [
      placed.map((r) => r.variant.id),
      placed.map((r) => r.productId),
      placed.map((r) => r.variant.sku),
      placed.map((r) => JSON.stringify(r.options.map((name) => r.variant.options[name]))),
      placed.map((r) => JSON.stringify(r.variant.images)),
    ],
  );
  await insertAttributes(
    client,
    'variant_attributes',
    'variant_id',
    placed.map((r) => r.variant),
  );
  await writeVariantPrices(client, placed);
  await writeVariantStock(
    client,
    placed.flatMap((r) =>
      Object.entries(r.variant.stock.byWarehouse).map(([warehouse, onHand]) => ({
        id: r.variant.id,
        warehouse,
        onHand,
        updatedAt: r.updatedAt,
      })),
    ),
  );
}

/** What a command changed in the options and variants of one product. */
export async function updateOptionsAndVariants(
  client: PoolClient,
  previous: FullProductSnapshot,
  next: FullProductSnapshot,
): Promise<void> {
  if (JSON.stringify(previous.options) !== JSON.stringify(next.options)) {
    await client.query('DELETE FROM product_options WHERE product_id = $1', [next.id]);
    await writeOptions(client, [next]);
  }
  const before = new Map(previous.variants.map((v) => [v.id, v]));
  const after = new Set(next.variants.map((v) => v.id));
  const removed = previous.variants.filter((v) => !after.has(v.id)).map((v) => v.id);
  if (removed.length > 0) {
    await client.query('DELETE FROM product_variants WHERE id = ANY($1::uuid[])', [removed]);
  }
  const place = (variant: VariantSnapshot): PlacedVariant => ({
    productId: next.id,
    options: next.options,
    variant,
    updatedAt: next.updatedAt,
  });
  await insertVariants(client, next.variants.filter((v) => !before.has(v.id)).map(place));
  for (const variant of next.variants) {
    const old = before.get(variant.id);
    if (old !== undefined) await updateVariant(client, place(old), place(variant));
  }
}

async function updateVariant(
  client: PoolClient,
  previous: PlacedVariant,
  next: PlacedVariant,
): Promise<void> {
  const [a, b] = [previous.variant, next.variant];
  if (a.sku !== b.sku || !sameJson(a.options, b.options) || !sameJson(a.images, b.images)) {
    await client.query(
      'UPDATE product_variants SET sku = $2, option_values = $3, images = $4 WHERE id = $1',
      [b.id, b.sku, next.options.map((name) => b.options[name]), b.images],
    );
  }
  if (!sameJson(a.attributes, b.attributes)) {
    await client.query('DELETE FROM variant_attributes WHERE variant_id = $1', [b.id]);
    await insertAttributes(client, 'variant_attributes', 'variant_id', [b]);
  }
  if (!sameJson(a.price, b.price)) await writeVariantPrices(client, [next]);
  const moved = Object.entries(b.stock.byWarehouse).filter(
    ([warehouse, onHand]) =>
      !Object.hasOwn(a.stock.byWarehouse, warehouse) || a.stock.byWarehouse[warehouse] !== onHand,
  );
  await writeVariantStock(
    client,
    moved.map(([warehouse, onHand]) => ({
      id: b.id,
      warehouse,
      onHand,
      updatedAt: next.updatedAt,
    })),
  );
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A variant's price can be set, never unset, so only upserts. */
async function writeVariantPrices(
  client: PoolClient,
  placed: readonly PlacedVariant[],
): Promise<void> {
  const priced = placed.filter((r) => r.variant.price !== null);
  if (priced.length === 0) return;
  await client.query(
    `INSERT INTO variant_prices (variant_id, amount_minor, currency, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[])
     ON CONFLICT (variant_id) DO UPDATE
       SET amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency,
           updated_at = EXCLUDED.updated_at`,
    [
      priced.map((r) => r.variant.id),
      priced.map((r) => r.variant.price?.amountMinor),
      priced.map((r) => r.variant.price?.currency),
      priced.map((r) => r.updatedAt),
    ],
  );
}

async function writeVariantStock(
  client: PoolClient,
  levels: readonly { id: string; warehouse: string; onHand: number; updatedAt: string }[],
): Promise<void> {
  if (levels.length === 0) return;
  await client.query(
    `INSERT INTO variant_stock_levels (variant_id, warehouse, on_hand, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[])
     ON CONFLICT (variant_id, warehouse) DO UPDATE
       SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at`,
    [
      levels.map((l) => l.id),
      levels.map((l) => l.warehouse),
      levels.map((l) => l.onHand),
      levels.map((l) => l.updatedAt),
    ],
  );
}
