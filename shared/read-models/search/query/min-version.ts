import type { SearchEngine } from '../../../stores/search/engine.js';

export interface IndexedVersionOptions {
  readonly engine: SearchEngine;
  readonly alias: string;
  readonly productId: string;
  readonly version: number;
  readonly timeoutMs: number;
  /** Pause between checks. */
  readonly intervalMs?: number;
}

/** A count of the product's document at or above the version, as searches see it. */
export function searchableVersionBody(productId: string, version: number) {
  return {
    size: 0,
    track_total_hits: true,
    query: {
      bool: {
        filter: [{ term: { id: productId } }, { range: { version: { gte: version } } }],
      },
    },
  };
}

const totalOf = (total: number | { readonly value: number }): number =>
  typeof total === 'number' ? total : total.value;

/**
 * Read-your-writes for search: resolves true once a search would see the product at `version`
 * or later, false when `timeoutMs` passes first.
 *
 * Two checks, because the index has two clocks. A GET by id is real time: it says whether the
 * search projector has written the version. Searches only see it after the next refresh (the
 * index refreshes every second), so once the GET has it, a count query confirms searches do too.
 * The detail projector's pub/sub announcements are not used here: they say the detail read model
 * has a version, not the search index, so polling the index itself (every 50 ms, bounded) is the
 * honest signal.
 */
export async function waitForSearchableVersion(options: IndexedVersionOptions): Promise<boolean> {
  const { engine, alias, productId, version, timeoutMs } = options;
  const interval = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let written = false;
  for (;;) {
    if (!written) {
      const stored = await engine.getDocument(alias, productId);
      written = stored !== undefined && stored.version >= version;
    }
    if (written) {
      const answer = await engine.search(alias, searchableVersionBody(productId, version));
      if (totalOf(answer.hits.total) > 0) return true;
    }
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
  }
}
