/**
 * Products with variants for the operations tests (verify, rebuild): a tee to create through
 * catalog-write, the write model's current snapshot, and a wait until the search and detail read
 * models hold exactly what that snapshot renders.
 */
import { randomUUID } from 'node:crypto';
import {
  withVariantDefaults,
  type FullProductSnapshot,
} from '../../shared/events/catalog-events.js';
import {
  detailEtag,
  detailKeys,
  renderProductDetail,
} from '../../shared/read-models/detail/document.js';
import { searchDocument } from '../../shared/read-models/search/document.js';
import { loadProduct } from '../../shared/write-model/products/repository.js';
import type { Pipeline } from './pipeline.js';
import { waitFor } from './wait.js';

export const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

/** An admin request under /admin/v1/products. */
export async function productAdmin(
  p: Pipeline,
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: object,
) {
  return p.write.admin({
    method,
    url: `/admin/v1/products${url}`,
    ...(body ? { payload: body } : {}),
  });
}

/** A published tee in colors x sizes: three variants, priced and stocked. */
export async function createTee(p: Pipeline, n: number): Promise<string> {
  const res = await productAdmin(p, 'POST', '', {
    sku: `OPS-${n}-${randomUUID().slice(0, 6)}`,
    name: `Ops tee ${n}`,
    description: 'Variants under operations.',
    brand: 'Acme',
    status: 'published',
    images: [],
    attributes: { fit: 'regular' },
    options: ['color', 'size'],
    variants: [
      ['black', 'M', 1000 + n],
      ['black', 'XL', 1200 + n],
      ['grey', 'M', 1400 + n],
    ].map(([color, size, price], v) => ({
      sku: `OPS-${n}-${v}-${randomUUID().slice(0, 6)}`,
      options: { color, size },
      price: eur(Number(price)),
      stock: { main: 3 },
    })),
  });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

/** The product as the write model holds it now, with its variant fields. */
export async function current(p: Pipeline, id: string): Promise<FullProductSnapshot> {
  const product = await loadProduct(p.write.pool, id, false);
  if (product === undefined) throw new Error(`no product ${id}`);
  return withVariantDefaults(product);
}

/** Resolves when search and detail hold exactly what the current version of each product renders. */
export async function readModelsMatchWriteModel(
  p: Pipeline,
  ids: readonly string[],
  timeoutMs = 30_000,
) {
  const prefix = p.config.redisKeyPrefix;
  await waitFor(
    'every search and detail document to equal the write model',
    async () => {
      for (const id of ids) {
        const product = await current(p, id);
        const doc = await p.search.client.getDocument(p.alias, id);
        if (doc?.version !== product.version) return undefined;
        if (JSON.stringify(doc.source) !== JSON.stringify(searchDocument(product)))
          return undefined;
        const detail = await p.redis.client.hgetall(detailKeys.product(prefix, id));
        const body = renderProductDetail(product);
        if (detail['version'] !== String(product.version)) return undefined;
        if (detail['body'] !== body || detail['etag'] !== detailEtag(body)) return undefined;
      }
      return true;
    },
    timeoutMs,
    200,
  );
}
