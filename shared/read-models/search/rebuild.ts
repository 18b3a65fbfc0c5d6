/**
 * `aisle rebuild search`: a new index generation filled from Postgres while the platform serves
 * from the old one, then one atomic alias swap.
 *
 * Why no update is lost during the swap. Two writers fill the new index: the backfill (every
 * product as Postgres has it when its page is read) and the search projector, which writes each
 * batch to the alias plus every index in the extra-targets set, re-read before each batch. Both
 * write with external versioning at the product's version, so they commute: whichever is newer
 * wins, in any order. Take any event E the projector handles. If the batch holding E read the
 * targets after the SADD, E goes to the new index directly. If it read them before, E was
 * enqueued before the SADD, so it was committed before it, so before the backfill's first page
 * query: the backfill reads E's version or a newer one. Either way the new index ends with the
 * newest version of every product. At the swap (add new + remove old in one request) readers
 * move at once; batches still in flight write to the alias (now the new index) and to the new
 * index by name, both fine; the extra target is removed only after the swap.
 *
 * The settle wait after the SADD is not what the argument above rests on (that holds on a
 * single Redis primary); it is a margin for projectors that read the set from a lagging replica
 * or sit in a long batch, and it costs a second. Before the swap the command re-checks that the
 * target is still in the set (a Redis failover can lose a recent write) and that it still holds
 * its lock.
 */
import type { Config } from '../../config/index.js';
import { silentProgress, type ProgressSink } from '../../cli/progress.js';
import { searchDocument } from './document.js';
import type { Pool } from '../../stores/postgres.js';
import type { Redis } from '../../stores/redis.js';
import {
  extraSearchTargetsKey,
  bootstrapSearch,
  productIndexNames,
  type ProductIndexNames,
} from './index-setup.js';
import type { SearchEngine, VersionedDocument } from '../../stores/search/engine.js';
import { bumpSearchGeneration } from './generation.js';
import { searchKeys } from './keys.js';
import { acquireRebuildLock, pause, rebuildLockKey } from '../rebuild-lock.js';
import { countRows, keysetPages, productPage } from '../../write-model/pages.js';

export interface SearchRebuildDeps {
  readonly config: Pick<Config, 'searchIndexPrefix' | 'redisKeyPrefix' | 'projectionBatchWaitMs'>;
  readonly engine: SearchEngine;
  readonly redis: Redis;
  readonly pool: Pool;
}

export interface SearchRebuildOptions {
  /** Keep the previous index after the swap (to compare, or to swap back by hand). */
  readonly keepOld?: boolean;
  /** Products per Postgres page and per bulk request. */
  readonly pageSize?: number;
  /** How long live batches get to pick up the new target; default 4 × PROJECTION_BATCH_WAIT_MS + 1 s. */
  readonly settleMs?: number;
  readonly progress?: ProgressSink;
  /** Aborting before the swap rolls back (the old index keeps serving). */
  readonly signal?: AbortSignal;
}

export interface SearchRebuildReport {
  readonly alias: string;
  readonly previousIndex: string;
  readonly index: string;
  /** Products written by the backfill. */
  readonly indexed: number;
  /** Products the live projector had already written at a newer version (the backfill's copy lost). */
  readonly newerLive: number;
  readonly previousDeleted: boolean;
  /** Clean-up steps after the swap that failed; the swap itself succeeded. */
  readonly warnings: readonly string[];
}

const BULK_ATTEMPTS = 6;

export function generationOf(names: ProductIndexNames, index: string): number {
  const match = /^(.*)-(\d+)$/.exec(index);
  if (match?.[1] === undefined || `${match[1]}-*` !== names.pattern) {
    throw new Error(
      `the alias ${names.alias} points at ${index}, not an index named ${names.pattern}`,
    );
  }
  return Number(match[2]);
}

export async function rebuildSearch(
  deps: SearchRebuildDeps,
  options: SearchRebuildOptions = {},
): Promise<SearchRebuildReport> {
  const { config, engine, redis } = deps;
  const progress = options.progress ?? silentProgress;
  const names = productIndexNames(config.searchIndexPrefix);
  const extraKey = extraSearchTargetsKey(config.redisKeyPrefix);
  const settleMs = options.settleMs ?? config.projectionBatchWaitMs * 4 + 1_000;
  const lock = await acquireRebuildLock(redis, rebuildLockKey(config.redisKeyPrefix, 'search'));
  const signal =
    options.signal === undefined ? lock.lost : AbortSignal.any([options.signal, lock.lost]);
  try {
    await bootstrapSearch(engine, config.searchIndexPrefix); // the template, and a first index if none
    const targets = await engine.aliasTargets(names.alias);
    const previous = targets[0];
    if (previous === undefined || targets.length !== 1) {
      throw new Error(
        `the alias ${names.alias} points at ${targets.join(', ')}; expected one index`,
      );
    }
    const index = names.indexFor(generationOf(names, previous) + 1);
    await clearLeftovers(deps, names.alias, previous, index, settleMs, progress);
    if ((await engine.createIndex(index)) === 'exists') {
      // Not a target any more (cleared above), not serving: a leftover of a rebuild that died.
      await engine.deleteIndices(index);
      if ((await engine.createIndex(index)) === 'exists') {
        throw new Error(`could not recreate ${index}: something keeps writing to it`);
      }
    }
    progress.note(`created ${index}; ${names.alias} still serves ${previous}`);

    let backfill = { indexed: 0, newerLive: 0 };
    try {
      await redis.sadd(extraKey, index);
      progress.note(
        `live events now also go to ${index}; waiting ${settleMs} ms for batches in flight`,
      );
      await pause(settleMs, signal);
      backfill = await backfillIndex(deps, index, options.pageSize ?? 1_000, progress, signal);
      signal.throwIfAborted();
      await lock.assertHeld();
      if ((await redis.sismember(extraKey, index)) !== 1) {
        throw new Error(`${index} vanished from ${extraKey}; live events may have missed it`);
      }
      await engine.refresh(index);
      const now = await engine.aliasTargets(names.alias);
      if (now.length !== 1 || now[0] !== previous) {
        throw new Error(`the alias moved during the rebuild (now ${now.join(', ')})`);
      }
      await engine.updateAliases([
        { add: { index, alias: names.alias } },
        { remove: { index: previous, alias: names.alias } },
      ]);
    } catch (error) {
      if (await swapped(engine, names.alias, index)) {
        // The swap request failed on our side but the engine applied it: keep going forward.
        progress.note(`the alias swap answered with an error but was applied: ${message(error)}`);
      } else {
        await rollBack(deps, index, names.alias, settleMs, progress);
        throw error;
      }
    }
    progress.note(`${names.alias} now serves ${index}`);

    const warnings: string[] = [];
    // Readers' cached answers came from the old index: a new generation ends them.
    const generationKey = searchKeys.generation(config.redisKeyPrefix);
    try {
      await bumpSearchGeneration(redis, config.redisKeyPrefix);
    } catch (error) {
      warnings.push(
        `could not bump ${generationKey} (${message(error)}); cached search answers of ${previous} may be served up to SEARCH_CACHE_MAX_AGE_MS; run: INCR ${generationKey}`,
      );
    }
    try {
      await redis.srem(extraKey, index);
    } catch (error) {
      warnings.push(
        `could not remove ${index} from ${extraKey} (${message(error)}); harmless, but run: SREM ${extraKey} ${index}`,
      );
    }
    let previousDeleted = false;
    if (options.keepOld !== true) {
      try {
        await engine.deleteIndices(previous);
        previousDeleted = true;
      } catch (error) {
        warnings.push(`could not delete ${previous} (${message(error)}); delete it by hand`);
      }
    }
    return {
      alias: names.alias,
      previousIndex: previous,
      index,
      indexed: backfill.indexed,
      newerLive: backfill.newerLive,
      previousDeleted,
      warnings,
    };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** Streams every product into `index`, retrying what the engine could not take right now. */
async function backfillIndex(
  deps: SearchRebuildDeps,
  index: string,
  pageSize: number,
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<{ indexed: number; newerLive: number }> {
  let total = await countRows(deps.pool, 'products');
  progress.setTotal(total);
  let indexed = 0;
  let newerLive = 0;
  const pages = keysetPages((after) => productPage(deps.pool, after, pageSize), pageSize, signal);
  for await (const page of pages) {
    const documents = page.map((p): VersionedDocument => ({
      id: p.id,
      version: p.version,
      document: searchDocument(p),
    }));
    const outcome = await bulkWithRetry(deps.engine, index, documents, signal);
    indexed += outcome.indexed;
    newerLive += outcome.newerLive;
    if (indexed + newerLive > total) {
      total = indexed + newerLive; // products created while the rebuild runs
      progress.setTotal(total);
    }
    progress.add(page.length);
  }
  return { indexed, newerLive };
}

/**
 * 2xx: written. 409: the live projector already wrote this version or a newer one there.
 * 429 / 5xx / a thrown request: retried with backoff. Any other refusal (400: the document does
 * not fit the mapping) fails the rebuild: an index missing products must never go live.
 */
async function bulkWithRetry(
  engine: SearchEngine,
  index: string,
  documents: readonly VersionedDocument[],
  signal: AbortSignal,
): Promise<{ indexed: number; newerLive: number }> {
  let pending = documents;
  let indexed = 0;
  let newerLive = 0;
  let lastProblem = '';
  for (let attempt = 1; attempt <= BULK_ATTEMPTS && pending.length > 0; attempt++) {
    if (attempt > 1) await pause(Math.min(200 * 2 ** (attempt - 2), 5_000), signal);
    let results;
    try {
      results = await engine.bulkIndex(index, pending);
    } catch (error) {
      lastProblem = message(error);
      continue;
    }
    const retry: VersionedDocument[] = [];
    pending.forEach((document, i) => {
      const result = results[i] ?? { status: 500, reason: 'no result for this item' };
      if (result.status >= 200 && result.status < 300) indexed++;
      else if (result.status === 409) newerLive++;
      else if (result.status === 429 || result.status >= 500) {
        retry.push(document);
        lastProblem = `${result.status} ${result.reason ?? ''}`.trim();
      } else {
        throw new Error(
          `search refused product ${document.id}: ${result.status} ${result.errorType ?? ''} ${result.reason ?? ''}`.trim(),
        );
      }
    });
    pending = retry;
  }
  if (pending.length > 0) {
    throw new Error(
      `search did not take ${pending.length} documents after ${BULK_ATTEMPTS} attempts: ${lastProblem}`,
    );
  }
  return { indexed, newerLive };
}

async function swapped(engine: SearchEngine, alias: string, index: string): Promise<boolean> {
  try {
    return (await engine.aliasTargets(alias)).includes(index);
  } catch {
    return false;
  }
}

/**
 * Before the swap nothing readers see has changed: take the new index out of the live targets,
 * give batches that already read it time to finish (a write to a deleted index would create it
 * again from the template), then delete it. The old index keeps serving throughout.
 */
async function rollBack(
  deps: SearchRebuildDeps,
  index: string,
  alias: string,
  settleMs: number,
  progress: ProgressSink,
): Promise<void> {
  const extraKey = extraSearchTargetsKey(deps.config.redisKeyPrefix);
  try {
    await deps.redis.srem(extraKey, index);
    await pause(settleMs);
    if (!(await deps.engine.aliasTargets(alias)).includes(index)) {
      await deps.engine.deleteIndices(index);
    }
    progress.note(`rolled back: ${index} removed, ${alias} unchanged`);
  } catch (error) {
    progress.note(
      `rolling back failed (${message(error)}): run SREM ${extraKey} ${index}, then delete ${index}`,
    );
  }
}

/**
 * A rebuild that died (killed, machine lost) may leave its index in the extra targets. We hold
 * the lock, so no other rebuild owns them: remove them and their indices, never the serving one.
 */
async function clearLeftovers(
  deps: SearchRebuildDeps,
  alias: string,
  serving: string,
  next: string,
  settleMs: number,
  progress: ProgressSink,
): Promise<void> {
  const extraKey = extraSearchTargetsKey(deps.config.redisKeyPrefix);
  const members = await deps.redis.smembers(extraKey);
  if (members.length === 0) return;
  await deps.redis.srem(extraKey, ...members);
  const leftovers = members.filter((i) => i !== serving && /^[a-z0-9_-]+$/.test(i));
  if (leftovers.length === 0) return;
  progress.note(`removing leftovers of an earlier rebuild: ${leftovers.join(', ')}`);
  await pause(settleMs);
  const serves = await deps.engine.aliasTargets(alias);
  for (const index of leftovers) {
    if (!serves.includes(index) && (index === next || index.startsWith(`${alias}-`))) {
      await deps.engine.deleteIndices(index);
    }
  }
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
