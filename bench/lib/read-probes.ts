/**
 * Before bench:read measures anything: one request per storefront route (is it there, does it
 * answer 200?), the totals search and the category tree report, and a sample of detail ETags
 * for the detail-304 scenario.
 */
import type { CatalogModel } from './read-catalog.js';
import { HttpClient, type Reply } from './http-client.js';
import type { RouteKind, TaggedPath } from './read-requests.js';
import { createRandom, mixSeed } from '../../shared/write-model/seed/random.js';

/** Detail documents whose ETag is fetched for detail-304. */
const ETAG_SAMPLE = 2000;

export interface Probes {
  /** Why a route cannot be measured; absent when it answers 200. */
  readonly missing: Partial<Record<RouteKind, string>>;
  readonly searchTotal: number | undefined;
  readonly categoriesTotal: number | undefined;
  readonly tagged: readonly TaggedPath[];
  readonly cacheControl: string | undefined;
}

function describe(path: string, reply: Reply): string {
  if (reply.status === 0) return `GET ${path}: no answer (${reply.body})`;
  if (reply.status === 404) return `GET ${path} answered 404: the route is not there (yet)`;
  return `GET ${path} answered ${reply.status}: ${reply.body.slice(0, 200)}`;
}

/** One request per route (is it there, does it answer 200?), and the ETags for detail-304. */
export async function probeRoutes(
  origin: URL,
  token: string,
  model: CatalogModel,
): Promise<Probes> {
  const client = new HttpClient(origin, token, 16);
  try {
    const missing: Partial<Record<RouteKind, string>> = {};
    const first = model.published[0];
    const paths: Record<RouteKind, string> = {
      detail: `/v1/products/${first?.id ?? ''}`,
      search: '/v1/search?size=1',
      suggest: '/v1/suggest?q=wo',
      categories: '/v1/categories',
    };
    const replies: Partial<Record<RouteKind, Reply>> = {};
    for (const [kind, path] of Object.entries(paths) as [RouteKind, string][]) {
      const reply = await client.send({ method: 'GET', path });
      replies[kind] = reply;
      if (reply.status !== 200) missing[kind] = describe(path, reply);
    }
    let searchTotal: number | undefined;
    if (replies.search?.status === 200) {
      searchTotal = (JSON.parse(replies.search.body) as { total?: number }).total;
    }
    let categoriesTotal: number | undefined;
    if (replies.categories?.status === 200) {
      const tree = JSON.parse(replies.categories.body) as {
        categories?: { productCount?: number }[];
      };
      categoriesTotal = (tree.categories ?? []).reduce((n, c) => n + (c.productCount ?? 0), 0);
    }

    const tagged: TaggedPath[] = [];
    if (missing.detail === undefined) {
      const random = createRandom(mixSeed(model.seed, 0xe7a9));
      const sample = random.sample(model.published, Math.min(ETAG_SAMPLE, model.published.length));
      let cursor = 0;
      const worker = async () => {
        for (let p = sample[cursor++]; p !== undefined; p = sample[cursor++]) {
          const path = `/v1/products/${p.id}`;
          const reply = await client.send({ method: 'GET', path });
          const etag = reply.headers?.etag;
          if (reply.status === 200 && typeof etag === 'string') tagged.push({ path, etag });
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    }
    const cacheControl = replies.detail?.headers?.['cache-control'];
    return {
      missing,
      searchTotal,
      categoriesTotal,
      tagged,
      cacheControl: typeof cacheControl === 'string' ? cacheControl : undefined,
    };
  } finally {
    client.close();
  }
}
