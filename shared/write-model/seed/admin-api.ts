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
import type { SeedCategory } from './seed-data.js';

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

/**
 * Creates the tree level by level (a parent always exists before its children). Returns how
 * many were created now and how many were there already.
 */
export async function ensureCategories(
  api: AdminApi,
  categories: readonly SeedCategory[],
  bar: Progress,
  concurrency: number,
): Promise<{ created: number; existing: number }> {
  const tally = { created: 0, existing: 0 };
  const levels = [...new Set(categories.map((c) => c.depth))].sort();
  for (const level of levels) {
    const batch = categories.filter((c) => c.depth === level);
    await mapLimit(batch, concurrency, async (category) => {
      const outcome = await ensureCategory(api, category);
      tally[outcome] += 1;
      bar.add(1);
    });
  }
  return tally;
}

async function ensureCategory(
  api: AdminApi,
  category: SeedCategory,
): Promise<'created' | 'existing'> {
  const res = await call(
    api,
    'POST',
    '/admin/v1/categories',
    { id: category.id, slug: category.slug, name: category.name, parentId: category.parentId },
    { 'idempotency-key': `aisle-seed:category:${category.path}` },
  );
  if (res.status === 201) {
    return res.headers.get('idempotent-replayed') === 'true' ? 'existing' : 'created';
  }
  // 409 (id or slug taken) or 422 (the key was used with other content, e.g. a renamed category):
  // fine when the category with our id is there.
  if (res.status === 409 || res.status === 422) {
    const found = await call(api, 'GET', `/admin/v1/categories/${category.id}`);
    if (found.status === 200) return 'existing';
    throw new Error(
      `category ${category.path}: ${problemText(res.status, res.text)}; a category with this slug exists under the same parent but was not created by seed (its id is not ${category.id})`,
    );
  }
  throw new Error(`category ${category.path}: ${problemText(res.status, res.text)}`);
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
