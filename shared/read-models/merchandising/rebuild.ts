/**
 * `aisle rebuild merchandising`: the synonym set and every rule put again from Postgres into
 * Redis, in place, while the detail projector keeps applying live merchandising events.
 *
 * It writes through the projection's own compare-and-set scripts with `overwriteEqual`, as the
 * detail rebuild does: an equal version is rewritten, a newer live one never touched. Deleted
 * rules are put as their tombstones (at their version), so an older event replayed later cannot
 * bring them back. What Postgres does not have is removed: rules it never held, and the synonym
 * set when none is stored there (catalog-read then searches with the initial file). Every change
 * bumps the stamp and is announced, so every catalog-read reloads.
 */
import type { Config } from '../../config/index.js';
import { silentProgress, type ProgressSink } from '../../cli/progress.js';
import type { Pool } from '../../stores/postgres.js';
import type { Redis } from '../../stores/redis.js';
import { loadSynonymSet } from '../../write-model/merchandising/repository.js';
import { countRows, existingIds, keysetPages, rulePage } from '../../write-model/pages.js';
import { orphanIds } from '../drift.js';
import { acquireRebuildLock, rebuildLockKey } from '../rebuild-lock.js';
import { putReplacingCorrupt, type RebuildPut } from '../replace-corrupt.js';
import { merchandisingKeys } from './keys.js';
import { merchandisingProjection, type MerchandisingProjection } from './projection.js';
import { ruleFieldIds, unlinkRulesUnlessHash } from './scan.js';

export interface MerchandisingRebuildDeps {
  readonly config: Pick<Config, 'redisKeyPrefix'>;
  readonly redis: Redis;
  readonly pool: Pool;
}

export interface MerchandisingRebuildOptions {
  readonly pageSize?: number;
  readonly progress?: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface MerchandisingRebuildReport {
  /**
   * The synonym set: put (or a newer live one kept, or an unreadable one replaced); `none` when
   * Postgres stores none and Redis held none; `removed` when Redis held one Postgres does not.
   */
  readonly synonyms: RebuildPut | 'none' | 'removed';
  readonly synonymsVersion: number | null;
  readonly rules: number;
  readonly tombstones: number;
  /** Rules a live event had already moved past the version read from Postgres. */
  readonly newerLive: number;
  /** Rules whose stored value was unreadable and was replaced (the whole key if not a hash). */
  readonly replacedCorrupt: number;
  readonly orphansRemoved: number;
}

export async function rebuildMerchandising(
  deps: MerchandisingRebuildDeps,
  options: MerchandisingRebuildOptions = {},
): Promise<MerchandisingRebuildReport> {
  const { redis, pool } = deps;
  const prefix = deps.config.redisKeyPrefix;
  const progress = options.progress ?? silentProgress;
  const pageSize = options.pageSize ?? 1_000;
  const lock = await acquireRebuildLock(redis, rebuildLockKey(prefix, 'merchandising'));
  const signal =
    options.signal === undefined ? lock.lost : AbortSignal.any([options.signal, lock.lost]);
  const projection = merchandisingProjection(redis, prefix, { overwriteEqual: true });
  try {
    const synonyms = await rebuildSynonyms(redis, pool, prefix, projection);

    let total = await countRows(pool, 'search_rules');
    progress.setTotal(total);
    let rules = 0;
    let tombstones = 0;
    let newerLive = 0;
    let replacedCorrupt = (await unlinkRulesUnlessHash(redis, prefix)) ? 1 : 0;
    const removeRule = (id: string) => projection.remove({ synonyms: false, ruleIds: [id] });
    const pages = keysetPages((after) => rulePage(pool, after, pageSize), pageSize, signal);
    for await (const page of pages) {
      const outcomes = await Promise.all(
        page.map((rule) =>
          putReplacingCorrupt(
            () => projection.putRule(rule),
            () => removeRule(rule.id),
          ),
        ),
      );
      newerLive += outcomes.filter((o) => o === 'newer-live').length;
      replacedCorrupt += outcomes.filter((o) => o === 'replaced-corrupt').length;
      tombstones += page.filter((rule) => rule.deleted === true).length;
      rules += page.length;
      if (rules > total) progress.setTotal((total = rules));
      progress.add(page.length);
    }

    progress.note('removing rules Postgres does not have');
    let orphansRemoved = 0;
    for await (const ids of ruleFieldIds(redis, prefix, pageSize, signal)) {
      // Redis first, then Postgres: a rule in Redis was committed before, and rows stay.
      const orphans = orphanIds(ids, await existingIds(pool, 'search_rules', ids));
      if (orphans.length > 0) {
        orphansRemoved += await projection.remove({ synonyms: false, ruleIds: orphans });
      }
    }
    return { ...synonyms, rules, tombstones, newerLive, replacedCorrupt, orphansRemoved };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function rebuildSynonyms(
  redis: Redis,
  pool: Pool,
  prefix: string,
  projection: MerchandisingProjection,
): Promise<Pick<MerchandisingRebuildReport, 'synonyms' | 'synonymsVersion'>> {
  // Redis first, then Postgres: a set Redis holds was committed before, and the row stays.
  const held = (await redis.exists(merchandisingKeys.synonyms(prefix))) === 1;
  const set = await loadSynonymSet(pool);
  const removeSet = () => projection.remove({ synonyms: true, ruleIds: [] });
  if (set === undefined) {
    return {
      synonyms: held && (await removeSet()) > 0 ? 'removed' : 'none',
      synonymsVersion: null,
    };
  }
  const outcome = await putReplacingCorrupt(() => projection.putSynonyms(set), removeSet);
  return { synonyms: outcome, synonymsVersion: set.version };
}
