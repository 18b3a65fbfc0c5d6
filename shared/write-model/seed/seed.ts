/**
 * `aisle seed --products N`: a realistic demo catalog created through the admin API only (never
 * Postgres directly), so every product goes through validation, the outbox and the projections
 * exactly as a real one would.
 *
 * 1. The category tree (seed-data.ts) is created level by level with POST /admin/v1/categories,
 *    each with a deterministic id and an Idempotency-Key from its slug path; a 409 on a re-run
 *    means "already there" once GET confirms the id exists.
 * 2. N products are generated on the fly into an NDJSON stream (one chunk at a time, never the
 *    whole body) and POSTed to /admin/v1/imports, then the import is polled until done.
 * Product ids and SKUs derive from the seed and the index, so running the same seed again adds
 * nothing: its lines come back as rejected duplicates, which the summary says.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { formatCount, formatDuration, startProgress, type Progress } from '../../cli/progress.js';
import type { Config } from '../../config/index.js';
import type { ImportView, Rejection } from '../imports/repository.js';
import { mapLimit, processOutput, type Output } from '../../cli/output.js';
import {
  DEFAULT_PUBLISHED_RATIO,
  generateProduct,
  MAX_SEED,
  seedCategories,
  seedLeaves,
  type ProductOptions,
  type SeedCategory,
} from './seed-data.js';

export interface SeedOptions {
  /** The catalog-write service, e.g. http://127.0.0.1:3001. */
  readonly baseUrl: string;
  /** An admin bearer token. */
  readonly token: string;
  readonly products: number;
  readonly seed: number;
  readonly publishedRatio: number;
  /** Give up following the import after this long (it runs on in the server). */
  readonly timeoutMs?: number;
}

export interface SeedDependencies {
  /** Where the summary goes (stdout in the CLI). */
  readonly output: Output;
  /** Where the progress bars go (stderr in the CLI). */
  readonly progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly pollIntervalMs?: number;
  /** Categories created at once within a level. */
  readonly concurrency?: number;
}

export interface SeedReport {
  readonly seed: number;
  readonly baseUrl: string;
  readonly categories: {
    readonly total: number;
    readonly created: number;
    readonly existing: number;
    readonly levels: number;
    readonly leaves: number;
  };
  readonly importId: string;
  readonly state: ImportView['state'];
  readonly sent: { readonly lines: number; readonly bytes: number };
  readonly accepted: number;
  readonly rejected: number;
  /** Rejections among those listed by the server that are products this seed created before. */
  readonly duplicates: number;
  /** How many rejections the server listed (it lists the first 1000). */
  readonly rejectionsListed: number;
  /** Listed rejections that are not duplicates: something is wrong. */
  readonly otherRejections: readonly Rejection[];
  readonly error?: string;
  readonly durationMs: number;
  readonly phasesMs: {
    readonly categories: number;
    readonly upload: number;
    readonly import: number;
  };
  /** Products accepted per second of the whole run. */
  readonly productsPerSecond: number;
}

const CHUNK_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_TIMEOUT_SECONDS = 3600;

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

export const seedHelp =
  'seed --products N [--url http://127.0.0.1:3001] [--seed 42] [--published-ratio 0.9] [--timeout 3600]: create a demo catalog (category tree + N products) through the admin API (token: first of ADMIN_TOKENS)';

/** Parses the command line; throws a usage message on anything invalid. */
export function parseSeedArgs(
  args: readonly string[],
  defaults: { readonly baseUrl: string; readonly token: string | undefined },
): SeedOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      products: { type: 'string' },
      url: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'published-ratio': { type: 'string', default: String(DEFAULT_PUBLISHED_RATIO) },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  if (values.products === undefined) throw new Error('usage: aisle seed --products N [options]');
  const products = Number(values.products);
  if (!Number.isSafeInteger(products) || products < 1) {
    throw new Error('--products must be a positive integer');
  }
  const seed = Number(values.seed);
  if (values.seed.trim() === '' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`--seed must be an integer from 0 to ${MAX_SEED}`);
  }
  const ratio = values['published-ratio'];
  const publishedRatio = Number(ratio);
  if (ratio.trim() === '' || !(publishedRatio >= 0 && publishedRatio <= 1)) {
    throw new Error('--published-ratio must be a number from 0 to 1');
  }
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error('--timeout must be a number of seconds');
  const baseUrl = values.url ?? defaults.baseUrl;
  try {
    new URL(baseUrl);
  } catch {
    throw new Error(`--url is not a URL: ${baseUrl}`);
  }
  if (defaults.token === undefined) throw new Error('set ADMIN_TOKENS; its first token is used');
  return {
    baseUrl,
    token: defaults.token,
    products,
    seed,
    publishedRatio,
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** `aisle seed …` as registered in main.ts. */
export async function seedCommand(config: Config, args: readonly string[]): Promise<void> {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const options = parseSeedArgs(args, {
    baseUrl: `http://${host}:${config.catalogWritePort}`,
    token: config.adminTokens?.[0],
  });
  const output = processOutput();
  const report = await seedCatalog(options, { output });
  printSummary(report, output);
  if (report.state === 'failed' || report.otherRejections.length > 0) process.exitCode = 1;
}

/** Creates the categories, streams the products, follows the import; prints only progress. */
export async function seedCatalog(
  options: SeedOptions,
  deps: SeedDependencies,
): Promise<SeedReport> {
  const api: Api = { base: options.baseUrl, token: options.token };
  const stream = deps.progressStream ?? process.stderr;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000);

  const categories = seedCategories();
  const categoryBar = startProgress({ label: 'categories', total: categories.length, stream });
  let tally: { created: number; existing: number };
  try {
    tally = await ensureCategories(api, categories, categoryBar, deps.concurrency ?? 16);
  } catch (error) {
    categoryBar.finish('failed');
    throw error;
  }
  categoryBar.finish(`${tally.created} created, ${tally.existing} already there`);
  const categoriesDone = Date.now();

  const uploadBar = startProgress({ label: 'sending', total: options.products, stream });
  const sent = { lines: 0, bytes: 0 };
  let importId: string;
  try {
    const body = Readable.from(
      ndjsonChunks(
        options.seed,
        options.products,
        { publishedRatio: options.publishedRatio },
        (lines, bytes) => {
          sent.lines += lines;
          sent.bytes += bytes;
          uploadBar.add(lines);
        },
      ),
      { objectMode: false },
    );
    const answer = await postStream(api, '/admin/v1/imports', body);
    if (answer.status !== 202) {
      throw new Error(`the import was refused: ${problemText(answer.status, answer.text)}`);
    }
    importId = (JSON.parse(answer.text) as { importId: string }).importId;
  } catch (error) {
    uploadBar.finish('failed');
    throw error;
  }
  uploadBar.finish(`sent ${megabytes(sent.bytes)}`);
  const uploadDone = Date.now();

  const importBar = startProgress({ label: 'importing', total: sent.lines, stream });
  let progress: ImportView;
  try {
    progress = await follow(api, importId, deadline, importBar, deps.pollIntervalMs ?? 250);
  } catch (error) {
    importBar.finish('stopped following');
    throw error;
  }
  importBar.finish(
    `${formatCount(progress.accepted)} accepted, ${formatCount(progress.rejected)} rejected`,
  );
  const finished = Date.now();

  const duplicates = progress.rejections.filter((r) => isDuplicate(r.reason)).length;
  const durationMs = finished - started;
  return {
    seed: options.seed,
    baseUrl: options.baseUrl,
    categories: {
      total: categories.length,
      ...tally,
      levels: Math.max(...categories.map((c) => c.depth)),
      leaves: seedLeaves().length,
    },
    importId,
    state: progress.state,
    sent,
    accepted: progress.accepted,
    rejected: progress.rejected,
    duplicates,
    rejectionsListed: progress.rejections.length,
    otherRejections: progress.rejections.filter((r) => !isDuplicate(r.reason)),
    ...(progress.error === undefined ? {} : { error: progress.error }),
    durationMs,
    phasesMs: {
      categories: categoriesDone - started,
      upload: uploadDone - categoriesDone,
      import: finished - uploadDone,
    },
    productsPerSecond: progress.accepted / Math.max(durationMs / 1000, 0.001),
  };
}

/** The operator's summary of a run. */
export function printSummary(report: SeedReport, output: Output): void {
  const c = report.categories;
  const p = report.phasesMs;
  output.line(`seed ${report.seed} -> ${report.baseUrl}`);
  output.line(
    `  categories  ${formatCount(c.total)} in ${c.levels} levels, ${c.leaves} leaves (${formatCount(c.created)} created, ${formatCount(c.existing)} already there)`,
  );
  output.line(
    `  products    ${formatCount(report.accepted)} accepted, ${formatCount(report.rejected)} rejected (import ${report.importId} ${report.state})`,
  );
  output.line(
    `  sent        ${formatCount(report.sent.lines)} lines, ${megabytes(report.sent.bytes)}`,
  );
  output.line(
    `  duration    ${formatDuration(report.durationMs)} (categories ${formatDuration(p.categories)}, upload ${formatDuration(p.upload)}, import ${formatDuration(p.import)})`,
  );
  const linesPerSecond = report.sent.lines / Math.max(report.durationMs / 1000, 0.001);
  output.line(
    `  rate        ${formatCount(report.productsPerSecond)} products/s created (${formatCount(linesPerSecond)} lines/s sent and processed)`,
  );
  if (report.duplicates > 0) {
    const which =
      report.duplicates === report.rejected
        ? `all ${formatCount(report.rejected)} rejected lines are`
        : report.duplicates === report.rejectionsListed
          ? `the ${formatCount(report.duplicates)} rejected lines the server lists (of ${formatCount(report.rejected)}) are all`
          : `${formatCount(report.duplicates)} of the ${formatCount(report.rejectionsListed)} rejected lines listed are`;
    output.line(
      `  note        ${which} products seed ${report.seed} created before (same ids and SKUs): nothing was duplicated; use another --seed to add more products`,
    );
  }
  if (report.error !== undefined) output.line(`  error       ${report.error}`);
  const shown = report.otherRejections.slice(0, 10);
  if (shown.length > 0) {
    output.line('other rejections:');
    for (const r of shown) output.line(`  line ${r.line}: ${r.reason}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The NDJSON stream
// ---------------------------------------------------------------------------------------------

/**
 * The import body in chunks of about 64 KiB, generated as the stream is read: only one chunk
 * exists at a time. `onChunk` is told how many lines and bytes each chunk holds when it is
 * handed over.
 */
export function* ndjsonChunks(
  seed: number,
  count: number,
  options: ProductOptions = {},
  onChunk: (lines: number, bytes: number) => void = () => undefined,
): Generator<Buffer, void, undefined> {
  let parts: string[] = [];
  let size = 0;
  const flush = (): Buffer => {
    const chunk = Buffer.from(parts.join(''), 'utf8');
    onChunk(parts.length, chunk.length);
    parts = [];
    size = 0;
    return chunk;
  };
  for (let index = 0; index < count; index++) {
    const line = `${JSON.stringify(generateProduct(seed, index, options))}\n`;
    parts.push(line);
    size += line.length;
    if (size >= CHUNK_BYTES) yield flush();
  }
  if (parts.length > 0) yield flush();
}

/** The importer's reasons for a SKU or an id that an earlier import or request already took. */
const DUPLICATE = /^sku: SKU ".*" is taken by another product$|^id: a product with id \S+ exists$/;

/** A rejection because the product is already there (a re-run of the same seed). */
export const isDuplicate = (reason: string): boolean => DUPLICATE.test(reason);

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

interface Api {
  readonly base: string;
  readonly token: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function call(
  api: Api,
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

function problemText(status: number, text: string): string {
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
async function ensureCategories(
  api: Api,
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

async function ensureCategory(api: Api, category: SeedCategory): Promise<'created' | 'existing'> {
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
function postStream(
  api: Api,
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
async function follow(
  api: Api,
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

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
