import type { Redis } from '../../stores/redis.js';
import { merchandisingKeys } from './keys.js';

/** The rule ids the read model holds, page by page, found with HSCAN (never one HGETALL). */
export async function* ruleFieldIds(
  redis: Redis,
  prefix: string,
  count: number,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  const key = merchandisingKeys.rules(prefix);
  let cursor = '0';
  do {
    signal?.throwIfAborted();
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', count);
    cursor = next;
    const fields = flat.filter((_, i) => i % 2 === 0);
    if (fields.length > 0) yield fields;
  } while (cursor !== '0');
}

/**
 * The rules key when it is not a hash (written by hand, or by a bug) fails every HGET and every
 * live event: it is removed so that the rules can be put again. True when it was removed.
 */
export async function unlinkRulesUnlessHash(redis: Redis, prefix: string): Promise<boolean> {
  const key = merchandisingKeys.rules(prefix);
  const type = await redis.type(key);
  if (type === 'hash' || type === 'none') return false;
  await redis.unlink(key);
  return true;
}
