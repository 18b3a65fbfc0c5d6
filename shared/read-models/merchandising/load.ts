import type { SearchRuleSnapshot, SynonymSetSnapshot } from '../../events/merchandising-events.js';
import type { Redis } from '../../stores/redis.js';
import { merchandisingKeys } from './keys.js';
import type { Synonyms } from '../search/query/synonyms.js';
import { initialView, viewOf, type MerchandisingView, type StoredMerchandising } from './view.js';

/** Reads the stamp, the synonym set and every rule in one MULTI, so they belong together. */
export async function loadMerchandising(
  redis: Redis,
  prefix: string,
): Promise<StoredMerchandising> {
  const replies = await redis
    .multi()
    .get(merchandisingKeys.stamp(prefix))
    .get(merchandisingKeys.synonyms(prefix))
    .hgetall(merchandisingKeys.rules(prefix))
    .exec();
  const value = (index: number): unknown => {
    const [error, result] = replies?.[index] ?? [new Error('no reply'), undefined];
    if (error) throw error;
    return result;
  };
  const stamp = value(0);
  const synonyms = value(1);
  const rules = (value(2) ?? {}) as Record<string, string>;
  return {
    stamp: typeof stamp === 'string' ? stamp : '',
    synonyms:
      typeof synonyms === 'string' ? (JSON.parse(synonyms) as SynonymSetSnapshot) : undefined,
    rules: Object.values(rules).map((json) => JSON.parse(json) as SearchRuleSnapshot),
  };
}

/** The stamp alone: the cheap check that tells whether anything changed. */
export async function loadStamp(redis: Redis, prefix: string): Promise<string> {
  return (await redis.get(merchandisingKeys.stamp(prefix))) ?? '';
}

/** The view as stored now, read once (reports; a searching instance keeps a live one). */
export async function currentView(
  redis: Redis,
  prefix: string,
  initial: Synonyms,
): Promise<MerchandisingView> {
  return viewOf(await loadMerchandising(redis, prefix), initialView(initial), initial).view;
}
