/**
 * The admin API as `aisle seed` uses it: plain HTTP with the admin bearer token, creating the
 * category tree idempotently, streaming an NDJSON import and following it until it is done.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { Progress } from '../../cli/progress.js';
import { mapLimit } from '../../map-limit.js';
import type { ImportView } from '../imports/repository.js';
import { namespacedSlugs, type SeedCategory } from './seed-data.js';

const REQUEST_TIMEOUT_MS = 30_000;

/** Where catalog-write listens, and an admin token it accepts. */
export interface AdminApi {
  readonly base: string;
  readonly token: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function call(
  api: AdminApi,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(new URL(path, api.base), {
    method,
    headers: {
      authorization: `Bearer ${api.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export function problemText(status: number, text: string): string {
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string; code?: string };
    return `${status} ${problem.code ?? ''} ${problem.detail ?? problem.title ?? ''}`
      .replace(/\s+/g, ' ')
      .trim();
  } catch {
    return `${status} ${text.slice(0, 200)}`.trim();
  }
}

/** A category seed created under another slug, because a category it did not create held its own. */
export interface NamespacedCategory {
  /** The category's slug path in the vocabulary, e.g. `apparel/men`. */
  readonly path: string;
  /** The slug it was given instead, e.g. `men-demo`. */
  readonly slug: string;
}

export interface CategoryTally {
  /** Created by this run (including the namespaced ones). */
  created: number;
  /** Seed's own, there already (an earlier run). */
  existing: number;
  /** Created (now or earlier) under another slug than the vocabulary's. */
  readonly namespaced: NamespacedCategory[];
}

/**
 * Creates the tree level by level (a parent always exists before its children). Categories are
 * seed's own by id (a v5 UUID of the slug path): one that exists is reused, whatever it was
 * renamed to. A slug held by a category seed did not create is left alone: seed creates its own
 * under a namespaced slug instead (see namespacedSlugs), so it never fails next to other data.
 */
export async function ensureCategories(
  api: AdminApi,
  categories: readonly SeedCategory[],
  bar: Progress,
  concurrency: number,
): Promise<CategoryTally> {
  const tally: CategoryTally = { created: 0, existing: 0, namespaced: [] };
  const levels = [...new Set(categories.map((c) => c.depth))].sort();
  for (const level of levels) {
    const batch = categories.filter((c) => c.depth === level);
    await mapLimit(batch, concurrency, async (category) => {
      const outcome = await ensureCategory(api, category);
      tally[outcome.kind] += 1;
      if (outcome.slug !== category.slug) {
        tally.namespaced.push({ path: category.path, slug: outcome.slug });
      }
      bar.add(1);
    });
  }
  tally.namespaced.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return tally;
}

interface CategoryOutcome {
  readonly kind: 'created' | 'existing';
  /** The slug the category has in the store. */
  readonly slug: string;
}

type Attempt = CategoryOutcome | { readonly kind: 'slug_taken' };

async function ensureCategory(api: AdminApi, category: SeedCategory): Promise<CategoryOutcome> {
  // The vocabulary's slug first, under the key earlier runs used; then the namespaced ones, each
  // under a key of its own (a key names one request body).
  const tries = [
    { slug: category.slug, key: `aisle-seed:category:${category.path}` },
    ...namespacedSlugs(category.slug).map((slug) => ({
      slug,
      key: `aisle-seed:category:${category.path}:as:${slug}`,
    })),
  ];
  for (const { slug, key } of tries) {
    const attempt = await createCategory(api, category, slug, key);
    if (attempt.kind !== 'slug_taken') return attempt;
  }
  throw new Error(
    `category ${category.path}: the slug ${category.slug} and its namespaced forms (${namespacedSlugs(category.slug).join(', ')}) are all taken by categories seed did not create`,
  );
}

async function createCategory(
  api: AdminApi,
  category: SeedCategory,
  slug: string,
  key: string,
): Promise<Attempt> {
  const res = await call(
    api,
    'POST',
    '/admin/v1/categories',
    { id: category.id, slug, name: category.name, parentId: category.parentId },
    { 'idempotency-key': key },
  );
  if (res.status === 201) {
    const replayed = res.headers.get('idempotent-replayed') === 'true';
    return { kind: replayed ? 'existing' : 'created', slug };
  }
  // 409 (the id or the slug is taken) or 422 (the key was used with another body, e.g. a renamed
  // category): ours when a category with our id is there; otherwise someone else holds the slug.
  if (res.status === 409 || res.status === 422) {
    const found = await call(api, 'GET', `/admin/v1/categories/${category.id}`);
    if (found.status === 200) {
      return { kind: 'existing', slug: (JSON.parse(found.text) as { slug: string }).slug };
    }
    if (found.status === 404 && isSlugTaken(res)) return { kind: 'slug_taken' };
  }
  throw new Error(`category ${category.path}: ${problemText(res.status, res.text)}`);
}

/**
 * The slug is someone else's: taken by a sibling, or the key was used before with another body
 * (an earlier run tried this slug when the vocabulary named the category differently).
 */
function isSlugTaken(res: Answer): boolean {
  try {
    const { code } = JSON.parse(res.text) as { code?: string };
    return code === 'slug_taken' || code === 'idempotency_key_reused';
  } catch {
    return false;
  }
}

/** POSTs a stream, chunked; the response is read even if the server stops reading early. */
export function postStream(
  api: AdminApi,
  path: string,
  body: Readable,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const url = new URL(path, api.base);
  return new Promise((resolve, reject) => {
    let answered = false;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': 'application/x-ndjson',
        },
      },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      body.destroy();
      if (!answered) reject(error);
    });
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

/** Polls the import until it is done; network hiccups are retried until the deadline. */
export async function followImport(
  api: AdminApi,
  importId: string,
  deadline: number,
  bar: Progress,
  intervalMs: number,
): Promise<ImportView> {
  const path = `/admin/v1/imports/${importId}`;
  for (;;) {
    let progress: ImportView | undefined;
    try {
      const res = await call(api, 'GET', path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${problemText(res.status, res.text)}`);
      progress = JSON.parse(res.text) as ImportView;
    } catch (error) {
      if (!(error instanceof TypeError || isTimeout(error))) throw error;
      bar.note(`the server does not answer (${(error as Error).message}); retrying`);
    }
    if (progress !== undefined) {
      const processed = progress.accepted + progress.rejected;
      if (processed > bar.done) bar.add(processed - bar.done);
      if (progress.done) return progress;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the import is not done by the deadline; follow it at ${new URL(path, api.base).href}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
