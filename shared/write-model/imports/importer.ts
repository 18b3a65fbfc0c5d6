import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Pool, PoolClient } from '../../stores/postgres.js';
import { appendToOutbox } from '../kit/outbox.js';
import { inTransaction, pgErrorOf } from '../kit/transaction.js';
import { constraintProblem, productEvent, skuField } from '../products/commands.js';
import type { ProductDecision } from '../products/decide.js';
import { insertProducts } from '../products/repository.js';
import { decideLine, withField } from './line-decision.js';
import { splitLines } from './lines.js';
import {
  existingCategories,
  markFailed,
  recordProgress,
  takenSkus,
  type Rejection,
} from './repository.js';

/** A line longer than this is refused without reading more of it into memory. */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface ImportJob {
  readonly importId: string;
  /** The spooled body; deleted when the import ends, whatever the outcome. */
  readonly spoolPath: string;
  /** Carried by every ProductCreated event of the import. */
  readonly correlationId: string | null;
}

export interface ImporterOptions {
  readonly pool: Pool;
  readonly batchSize: number;
  readonly log: Pick<FastifyBaseLogger, 'info' | 'error'>;
  /** Aborting stops the import between batches; it is then marked failed. */
  readonly signal?: AbortSignal;
  readonly maxLineBytes?: number;
}

interface Candidate {
  readonly line: number;
  readonly decision: ProductDecision;
}

/** Lines read since the last commit: products to insert and lines already refused. */
class Batch {
  readonly candidates: Candidate[] = [];
  readonly rejections: Rejection[] = [];
  private readonly skus = new Map<string, number>();
  private readonly ids = new Map<string, number>();

  reject(line: number, reason: string): void {
    this.rejections.push({ line, reason });
  }

  /**
   * Same SKU (a product's or a variant's) or id twice in one batch is refused here; across
   * batches the database sees it.
   */
  add(line: number, decision: ProductDecision): void {
    const { product } = decision;
    for (const sku of skusOf(product)) {
      const skuLine = this.skus.get(sku);
      if (skuLine !== undefined) {
        return this.reject(
          line,
          `${skuField(product, sku)}: SKU "${sku}" is already used on line ${skuLine} of this import`,
        );
      }
    }
    const idLine = this.ids.get(product.id.toLowerCase());
    if (idLine !== undefined) {
      return this.reject(
        line,
        `id: ${product.id} is already used on line ${idLine} of this import`,
      );
    }
    for (const sku of skusOf(product)) this.skus.set(sku, line);
    this.ids.set(product.id.toLowerCase(), line);
    this.candidates.push({ line, decision });
  }

  isFull(size: number): boolean {
    return this.candidates.length >= size || this.rejections.length >= size;
  }
}

interface Position {
  readonly linesRead: number;
  readonly bytesProcessed: number;
}

/**
 * Runs one import to its end: never throws, records `failed` (and logs) on an unexpected error,
 * and always deletes the spool file.
 */
export async function runImport(job: ImportJob, opts: ImporterOptions): Promise<void> {
  const started = Date.now();
  try {
    const totals = await processSpool(job, opts);
    const seconds = (Date.now() - started) / 1000;
    opts.log.info({ importId: job.importId, ...totals, seconds }, 'import completed');
  } catch (error) {
    opts.log.error({ err: error, importId: job.importId }, 'import failed');
    await markFailed(opts.pool, job.importId, publicMessage(error)).catch((cause: unknown) =>
      opts.log.error({ err: cause, importId: job.importId }, 'could not mark the import failed'),
    );
  } finally {
    await rm(job.spoolPath, { force: true }).catch((cause: unknown) =>
      opts.log.error({ err: cause, importId: job.importId }, 'could not delete the spool file'),
    );
  }
}

async function processSpool(
  job: ImportJob,
  opts: ImporterOptions,
): Promise<{ accepted: number; rejected: number; linesRead: number }> {
  const maxLineBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const input = createReadStream(job.spoolPath, { highWaterMark: 256 * 1024 });
  let batch = new Batch();
  let position: Position = { linesRead: 0, bytesProcessed: 0 };
  const totals = { accepted: 0, rejected: 0, linesRead: 0 };
  const commit = async (completed: boolean) => {
    opts.signal?.throwIfAborted();
    const outcome = await commitBatch(opts.pool, job, batch, position, completed);
    totals.accepted += outcome.accepted;
    totals.rejected += outcome.rejected;
    totals.linesRead = position.linesRead;
    batch = new Batch();
  };
  for await (const line of splitLines(input, maxLineBytes)) {
    position = { linesRead: line.number, bytesProcessed: line.end };
    if (line.kind === 'too_long') {
      batch.reject(line.number, `the line is longer than ${maxLineBytes} bytes`);
    } else if (line.kind === 'not_utf8') {
      batch.reject(line.number, 'the line is not valid UTF-8');
    } else if (line.text.trim() !== '') {
      const outcome = decideLine(line.text, new Date().toISOString());
      if (outcome.ok) batch.add(line.number, outcome.decision);
      else batch.reject(line.number, outcome.reason);
    }
    if (batch.isFull(opts.batchSize)) await commit(false);
  }
  await commit(true);
  return totals;
}

/**
 * One transaction per batch: the SKUs and categories are checked with one query each, the
 * products and their ProductCreated events are inserted together, and the import's progress
 * moves on in the same commit. Should a concurrent writer still take a SKU (or an id) first,
 * the batch is retried line by line under savepoints so only the clashing lines are refused.
 */
async function commitBatch(
  pool: Pool,
  job: ImportJob,
  batch: Batch,
  position: Position,
  completed: boolean,
): Promise<{ accepted: number; rejected: number }> {
  return inTransaction(pool, async (client) => {
    const rejections = [...batch.rejections];
    const { candidates } = batch;
    const taken = await takenSkus(
      client,
      candidates.flatMap((c) => skusOf(c.decision.product)),
    );
    const categories = await existingCategories(client, [
      ...new Set(candidates.flatMap((c) => c.decision.product.categoryId?.toLowerCase() ?? [])),
    ]);
    const ready: Candidate[] = [];
    for (const candidate of candidates) {
      const { product } = candidate.decision;
      const { categoryId } = product;
      const sku = skusOf(product).find((s) => taken.has(s));
      if (sku !== undefined) {
        rejections.push({ line: candidate.line, reason: takenReason(product, sku) });
      } else if (categoryId !== null && !categories.has(categoryId.toLowerCase())) {
        rejections.push({ line: candidate.line, reason: `categoryId: no category ${categoryId}` });
      } else {
        ready.push(candidate);
      }
    }
    // Inserted in SKU order: concurrent imports then take the unique index locks in one order
    // and wait for each other instead of deadlocking.
    ready.sort((a, b) => compare(a.decision.product.sku, b.decision.product.sku));
    const accepted = await insertCandidates(client, ready, job.correlationId, rejections);
    await recordProgress(client, job.importId, {
      ...position,
      accepted,
      rejections,
      completed,
    });
    return { accepted, rejected: rejections.length };
  });
}

async function insertCandidates(
  client: PoolClient,
  candidates: readonly Candidate[],
  correlationId: string | null,
  rejections: Rejection[],
): Promise<number> {
  if (candidates.length === 0) return 0;
  await client.query('SAVEPOINT import_batch');
  try {
    await write(client, candidates, correlationId);
    await client.query('RELEASE SAVEPOINT import_batch');
    return candidates.length;
  } catch (error) {
    if (constraintProblem(error) === undefined && !isDataError(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT import_batch');
  }
  let accepted = 0;
  for (const candidate of candidates) {
    await client.query('SAVEPOINT import_line');
    try {
      await write(client, [candidate], correlationId);
      await client.query('RELEASE SAVEPOINT import_line');
      accepted += 1;
    } catch (error) {
      const { product } = candidate.decision;
      const problem = constraintProblem(error, product);
      if (problem === undefined && !isDataError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT import_line');
      rejections.push({
        line: candidate.line,
        reason:
          problem === undefined
            ? `the database refused the line: ${publicMessage(error)}`
            : problem.code === 'sku_taken'
              ? takenReason(product, skuAt(product, problem.errors?.[0]?.field))
              : problem.errors?.[0]?.field === 'variants'
                ? withField('variants', 'a variant id of this line is taken by another variant')
                : withField('id', `a product with id ${product.id} exists`),
      });
    }
  }
  return accepted;
}

/** Exactly one outbox event per product, in the caller's transaction. */
async function write(
  client: PoolClient,
  candidates: readonly Candidate[],
  correlationId: string | null,
): Promise<void> {
  await insertProducts(
    client,
    candidates.map((c) => c.decision.product),
  );
  await appendToOutbox(
    client,
    candidates.map((c) => productEvent(c.decision, correlationId)),
  );
}

/**
 * SQLSTATE classes 22 (data exception: a value out of range, text the database cannot store) and
 * 23 (integrity) are about the line's own data: only that line is refused. Anything else (a lost
 * connection, a deadline) is about the import as a whole and fails it.
 */
function isDataError(error: unknown): boolean {
  const { code } = pgErrorOf(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A line's SKUs: the product's own first, then its variants'. */
const skusOf = (product: ProductDecision['product']): string[] => [
  product.sku,
  ...product.variants.map((v) => v.sku),
];

/** The SKU at `sku` or `variants.N.sku` of a product. */
function skuAt(product: ProductDecision['product'], field: string | undefined): string {
  const index = /^variants\.(\d+)\.sku$/.exec(field ?? '')?.[1];
  return index === undefined ? product.sku : (product.variants[Number(index)]?.sku ?? product.sku);
}

/** `sku: SKU "X" is taken by another product`, or `variants.N.sku: ...` for a variant's. */
const takenReason = (product: ProductDecision['product'], sku: string): string =>
  `${skuField(product, sku)}: SKU "${sku}" is taken by another product`;

/** What an operator may read about a failure: no connection strings, no stack, bounded. */
export function publicMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const redacted = message.replace(/\/\/[^/\s@]*@/g, '//***@').trim();
  return (redacted === '' ? 'unexpected error' : redacted).slice(0, 500);
}
