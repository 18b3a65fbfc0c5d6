/**
 * Seeding a demo catalog through the admin API only (never Postgres directly), so every product
 * goes through validation, the outbox and the projections exactly as a real one would. Used by
 * `aisle seed` (services/ops-cli/commands/seed.ts) and by bench:read.
 *
 * 1. The category tree (catalog-vocabulary.json) is created level by level with
 *    POST /admin/v1/categories, each with a deterministic id and an Idempotency-Key from its slug
 *    path; a 409 on a re-run means "already there" once GET confirms the id exists.
 * 2. N products are generated on the fly into an NDJSON stream (one chunk at a time, never the
 *    whole body) and POSTed to /admin/v1/imports, then the import is polled until done.
 * Product ids and SKUs derive from the seed and the index, so running the same seed again adds
 * nothing: its lines come back as rejected duplicates, which the report counts.
 */
import { Readable } from 'node:stream';
import { formatCount, startProgress } from '../../cli/progress.js';
import type { Output } from '../../cli/output.js';
import type { ImportView, Rejection } from '../imports/repository.js';
import {
  ensureCategories,
  followImport,
  postStream,
  problemText,
  type AdminApi,
  type CategoryTally,
  type NamespacedCategory,
} from './admin-api.js';
import { seedCategories, seedLeaves } from './seed-data.js';
import { generateCatalogProduct, hasVariants, type CatalogOptions } from './seed-variants.js';

export interface SeedOptions {
  /** The catalog-write service, e.g. http://127.0.0.1:3001. */
  readonly baseUrl: string;
  /** An admin bearer token. */
  readonly token: string;
  readonly products: number;
  readonly seed: number;
  readonly publishedRatio: number;
  /** Share of products selling through 5-20 variants (seed-variants.ts); default 0. */
  readonly variantShare?: number;
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
    /** Seed's categories living under another slug because someone else's held theirs. */
    readonly namespaced: readonly NamespacedCategory[];
  };
  readonly importId: string;
  readonly state: ImportView['state'];
  readonly sent: {
    readonly lines: number;
    readonly bytes: number;
    /** Products sent with variants, and their variants. */
    readonly withVariants: number;
    readonly variants: number;
  };
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
/** How long a run follows its import by default. */
export const DEFAULT_SEED_TIMEOUT_SECONDS = 3600;

/** Creates the categories, streams the products, follows the import; prints only progress. */
export async function seedCatalog(
  options: SeedOptions,
  deps: SeedDependencies,
): Promise<SeedReport> {
  const api: AdminApi = { base: options.baseUrl, token: options.token };
  const stream = deps.progressStream ?? process.stderr;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? DEFAULT_SEED_TIMEOUT_SECONDS * 1000);

  const categories = seedCategories();
  const categoryBar = startProgress({ label: 'categories', total: categories.length, stream });
  let tally: CategoryTally;
  try {
    tally = await ensureCategories(api, categories, categoryBar, deps.concurrency ?? 16);
  } catch (error) {
    categoryBar.finish('failed');
    throw error;
  }
  const renamed = tally.namespaced.length > 0 ? `, ${tally.namespaced.length} namespaced` : '';
  categoryBar.finish(`${tally.created} created, ${tally.existing} already there${renamed}`);
  const categoriesDone = Date.now();

  const uploadBar = startProgress({ label: 'sending', total: options.products, stream });
  const sent = { lines: 0, bytes: 0, withVariants: 0, variants: 0 };
  let importId: string;
  try {
    const body = Readable.from(
      ndjsonChunks(
        options.seed,
        options.products,
        { publishedRatio: options.publishedRatio, variantShare: options.variantShare ?? 0 },
        (lines, bytes) => {
          sent.lines += lines;
          sent.bytes += bytes;
          uploadBar.add(lines);
        },
        sent,
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
    progress = await followImport(api, importId, deadline, importBar, deps.pollIntervalMs ?? 250);
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

/** Sizes as the progress bars and the summary show them. */
export const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * The import body in chunks of about 64 KiB, generated as the stream is read: only one chunk
 * exists at a time. `onChunk` is told how many lines and bytes each chunk holds when it is
 * handed over; `tally` counts the products with variants and their variants.
 */
export function* ndjsonChunks(
  seed: number,
  count: number,
  options: CatalogOptions = {},
  onChunk: (lines: number, bytes: number) => void = () => undefined,
  tally: { withVariants: number; variants: number } = { withVariants: 0, variants: 0 },
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
    const product = generateCatalogProduct(seed, index, options);
    if (hasVariants(product)) {
      tally.withVariants += 1;
      tally.variants += product.variants.length;
    }
    const line = `${JSON.stringify(product)}\n`;
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
