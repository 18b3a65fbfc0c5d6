import type { Redis } from '../../stores/redis.js';
import { detailKeys } from './document.js';

/** `*?[]\\` in a prefix would be read as a pattern by SCAN MATCH. */
export const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** The product ids that have a detail key, found with SCAN (never KEYS: it blocks Redis). */
export async function* productKeyIds(
  redis: Redis,
  prefix: string,
  count: number,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  const keyPrefix = detailKeys.product(prefix, '');
  let cursor = '0';
  do {
    signal?.throwIfAborted();
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${globEscape(keyPrefix)}*`,
      'COUNT',
      count,
    );
    cursor = next;
    if (keys.length > 0) yield keys.map((k) => k.slice(keyPrefix.length));
  } while (cursor !== '0');
}
