import type { Pool } from '../../stores/postgres.js';
import type { Redis } from '../../stores/redis.js';
import { loadRulesById, loadSynonymSet } from '../../write-model/merchandising/repository.js';
import { existingIds, keysetPages, rulePage, UUID } from '../../write-model/pages.js';
import { orphanIds, type DriftKind, type WholeModelChecker } from '../drift.js';
import { putReplacingCorrupt } from '../replace-corrupt.js';
import { merchandisingKeys } from './keys.js';
import { merchandisingProjection } from './projection.js';
import { ruleFieldIds, unlinkRulesUnlessHash } from './scan.js';
import { storedDrift, SYNONYMS_ITEM } from './stored.js';

/**
 * The merchandising read model against the write model: the synonym set (absent in both is in
 * sync: catalog-read then uses the initial file) and every rule, deleted ones as tombstones at
 * their version; rules Redis holds that Postgres never had are orphans. Repair puts the write
 * model's snapshot through the projection's compare-and-set, allowing an equal version to
 * rewrite (content drift), never a newer one, and removes orphans, announcing either change.
 */
export function merchandisingChecker(
  redis: Redis,
  pool: Pool,
  prefix: string,
  pageSize: number,
): WholeModelChecker {
  const repairing = merchandisingProjection(redis, prefix, { overwriteEqual: true });
  const rulesKey = merchandisingKeys.rules(prefix);

  async function checkSynonyms(found: Map<string, DriftKind>): Promise<void> {
    // Redis first, then Postgres: a set Redis holds was committed before, and the row stays.
    const type = await redis.type(merchandisingKeys.synonyms(prefix));
    const stored = type === 'string' ? await redis.get(merchandisingKeys.synonyms(prefix)) : null;
    const set = await loadSynonymSet(pool);
    const kind =
      set === undefined
        ? type === 'none'
          ? undefined
          : 'orphan'
        : type === 'none' || type === 'string'
          ? storedDrift(stored, set)
          : 'mismatch';
    if (kind !== undefined) found.set(SYNONYMS_ITEM, kind);
  }

  async function checkRules(found: Map<string, DriftKind>): Promise<void> {
    const type = await redis.type(rulesKey);
    const readable = type === 'hash' || type === 'none';
    for await (const page of keysetPages((after) => rulePage(pool, after, pageSize), pageSize)) {
      // A key that is not a hash holds no readable rule: each counts as a content mismatch.
      const held = readable
        ? await redis.hmget(rulesKey, ...page.map((r) => r.id))
        : page.map(() => 'not a hash');
      page.forEach((rule, i) => {
        const kind = storedDrift(held[i] ?? null, rule);
        if (kind !== undefined) found.set(rule.id, kind);
      });
    }
    if (!readable) return;
    for await (const ids of ruleFieldIds(redis, prefix, pageSize)) {
      const known = await existingIds(pool, 'search_rules', ids);
      for (const id of orphanIds(ids, known)) found.set(id, 'orphan');
    }
  }

  async function repairRules(ids: readonly string[]): Promise<number> {
    // A rules key that is not a hash was found as every rule mismatching: each is put below.
    await unlinkRulesUnlessHash(redis, prefix);
    // Only ids spelled as the write model spells them: another spelling is an orphan of its own.
    const rules = await loadRulesById(
      pool,
      ids.filter((id) => UUID.test(id) && id === id.toLowerCase()),
    );
    let repaired = 0;
    const known = new Set(rules.map((r) => r.id));
    const orphans = ids.filter((id) => !known.has(id));
    if (orphans.length > 0) {
      repaired += await repairing.remove({ synonyms: false, ruleIds: orphans });
    }
    for (const rule of rules) {
      const outcome = await putReplacingCorrupt(
        () => repairing.putRule(rule),
        () => repairing.remove({ synonyms: false, ruleIds: [rule.id] }),
      );
      if (outcome !== 'newer-live') repaired++;
    }
    return repaired;
  }

  async function repairSynonyms(): Promise<number> {
    const set = await loadSynonymSet(pool);
    const removeSet = () => repairing.remove({ synonyms: true, ruleIds: [] });
    if (set === undefined) return removeSet();
    const outcome = await putReplacingCorrupt(() => repairing.putSynonyms(set), removeSet);
    return outcome === 'newer-live' ? 0 : 1;
  }

  return {
    async check() {
      const found = new Map<string, DriftKind>();
      await checkSynonyms(found);
      await checkRules(found);
      return found;
    },
    async repair(items) {
      const ruleIds = items.filter((item) => item !== SYNONYMS_ITEM);
      const synonyms = ruleIds.length < items.length ? await repairSynonyms() : 0;
      return synonyms + (ruleIds.length > 0 ? await repairRules(ruleIds) : 0);
    },
  };
}
