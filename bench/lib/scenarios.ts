import { randomUUID } from 'node:crypto';
import { HttpClient, type RequestSpec } from './http-client.js';
import type { ScenarioName } from './options.js';

export interface Scenario {
  readonly name: ScenarioName;
  /** One line for the table legend and the JSON file. */
  readonly measures: string;
  readonly conflictsExpected: boolean;
  readonly next: () => RequestSpec;
}

/** Products that exist before the price and stock scenarios start. */
export interface Fixtures {
  readonly pool: readonly string[];
  readonly hot: string | undefined;
}

const PRODUCTS = '/admin/v1/products';
const WAREHOUSES = ['ams-1', 'ber-1', 'par-1'] as const;
const INITIAL_STOCK = 25;

const names = [
  'Trail running shoe',
  'Merino wool hoodie',
  'Insulated water bottle',
  'Waterproof hiking jacket',
  'Ultralight tent for two',
  'Cast iron skillet',
  'Noise-cancelling headphones',
  'Ergonomic office chair',
] as const;
const brands = ['Stride', 'Northfold', 'Kiln & Co', 'Aurel', 'Pico', null] as const;
const colors = ['black', 'blue', 'forest', 'sand', 'red'] as const;
const materials = ['recycled polyester', 'merino', 'stainless steel', 'cotton', 'aluminium'];
const sizes = [['S', 'M', 'L'], ['38', '39', '40', '41', '42', '43', '44'], ['one size']] as const;

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;

/**
 * A product body like an admin would post: a name, a paragraph of description, attributes of
 * the three kinds (text, number, list), images, a price and initial stock. Varied by n so rows
 * are not all identical, deterministic so runs are comparable.
 */
export function productBody(sku: string, n: number, extra: Record<string, unknown> = {}) {
  const name = pick(names, n);
  return {
    sku,
    name: `${name} ${pick(colors, n >> 3)}`,
    description:
      `${name} built for daily use. Made from ${pick(materials, n)} with reinforced seams, ` +
      'tested in the field for a full season and backed by a two-year warranty. ' +
      'Ships in recyclable packaging; care instructions on the label.',
    brand: pick(brands, n),
    attributes: {
      color: pick(colors, n >> 3),
      material: pick(materials, n),
      size: [...pick(sizes, n)],
      weight_g: 150 + (n % 37) * 20,
    },
    images: [
      `https://cdn.example.com/products/${sku.toLowerCase()}/front.jpg`,
      `https://cdn.example.com/products/${sku.toLowerCase()}/side.jpg`,
    ],
    price: { amountMinor: 999 + (n % 200) * 100, currency: 'EUR' },
    status: n % 4 === 0 ? 'draft' : 'published',
    stock: Object.fromEntries(WAREHOUSES.map((w) => [w, INITIAL_STOCK])),
    ...extra,
  };
}

/**
 * Shared by every price request of the benchmark and above every initial price, so each
 * request sets an amount the product cannot already have (setting the same price is a 422).
 */
let nextAmount = 1_000_000;

export function buildScenario(name: ScenarioName, runId: string, fixtures: Fixtures): Scenario {
  if ((name === 'price' || name === 'stock') && fixtures.pool.length === 0) {
    throw new Error(`scenario ${name} needs the product pool`);
  }
  if (name === 'price-hot' && fixtures.hot === undefined) {
    throw new Error('scenario price-hot needs the hot product');
  }
  switch (name) {
    case 'create': {
      let n = 0;
      return {
        name,
        measures: 'POST /products: insert a product (unique SKU) and its outbox event',
        conflictsExpected: false,
        next: () => {
          n += 1;
          return { method: 'POST', path: PRODUCTS, body: productBody(`BW-${runId}-${n}`, n) };
        },
      };
    }
    case 'price': {
      const pool = fixtures.pool;
      let k = 0;
      return {
        name,
        measures: `PUT /products/:id/price round-robin over ${pool.length} products`,
        conflictsExpected: false,
        next: () => {
          const id = pool[k++ % pool.length];
          return {
            method: 'PUT',
            path: `${PRODUCTS}/${id}/price`,
            body: { amountMinor: nextAmount++, currency: 'EUR' },
          };
        },
      };
    }
    case 'price-hot': {
      const id = fixtures.hot ?? '';
      return {
        name,
        measures: 'PUT /products/:id/price, every request on ONE product (row-lock queue)',
        conflictsExpected: true,
        next: () => ({
          method: 'PUT',
          path: `${PRODUCTS}/${id}/price`,
          body: { amountMinor: nextAmount++, currency: 'EUR' },
        }),
      };
    }
    case 'stock': {
      const pool = fixtures.pool;
      let k = 0;
      return {
        name,
        measures: `POST /products/:id/stock-adjustments ±1 round-robin over ${pool.length} products`,
        conflictsExpected: true,
        next: () => {
          const index = k % pool.length;
          // Each product's visits alternate -1, +1 in its own warehouse: stock stays near its
          // start, so an insufficient_stock 409 only comes from a real race.
          const delta = Math.floor(k / pool.length) % 2 === 0 ? -1 : 1;
          k += 1;
          return {
            method: 'POST',
            path: `${PRODUCTS}/${pool[index]}/stock-adjustments`,
            body: { warehouse: pick(WAREHOUSES, index), delta, reason: 'bench cycle count' },
          };
        },
      };
    }
  }
}

/** Creates the product pool (and the hot product) over HTTP, failing on any non-201. */
export async function createFixtures(
  origin: URL,
  token: string,
  runId: string,
  poolSize: number,
  wanted: { pool: boolean; hot: boolean },
): Promise<Fixtures> {
  const ids = Array.from({ length: wanted.pool ? poolSize : 0 }, () => randomUUID());
  const hot = wanted.hot ? randomUUID() : undefined;
  const todo = [...ids.map((id, i) => ({ id, n: i })), ...(hot ? [{ id: hot, n: poolSize }] : [])];
  const client = new HttpClient(origin, token, 16);
  try {
    let cursor = 0;
    const worker = async () => {
      for (let item = todo[cursor++]; item !== undefined; item = todo[cursor++]) {
        const reply = await client.send({
          method: 'POST',
          path: PRODUCTS,
          body: productBody(`BP-${runId}-${item.n}`, item.n, { id: item.id }),
        });
        if (reply.status !== 201) {
          throw new Error(`creating fixture product: HTTP ${reply.status} ${reply.body}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    client.close();
  }
  return { pool: ids, hot };
}
