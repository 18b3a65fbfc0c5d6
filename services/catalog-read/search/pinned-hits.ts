import { encodePinnedCursor } from '../../../shared/read-models/search/query/cursor.js';
import { pinnedPage, type ListPosition } from '../../../shared/read-models/search/query/pinning.js';
import {
  mapHits,
  mapItems,
  type SearchHits,
  type VariantFilters,
} from '../../../shared/read-models/search/query/response.js';
import type { SearchHit, SearchResponseBody } from '../../../shared/stores/search/engine.js';

export interface PageOptions {
  readonly position: ListPosition;
  readonly size: number;
  /** searchKey of the search, put in nextCursor. */
  readonly key: string;
  readonly filters: VariantFilters;
}

/**
 * A page of the one list pinning.ts describes: the pinned products (in the rules' order, passing
 * the filters) it covers, then the rest's hits from `raw` (asked from the rest's start of this
 * page, one more than the page size). The total counts both; the next cursor continues within
 * the pinned products when the page ended among them.
 */
export function pageWithPins(
  raw: SearchResponseBody,
  pinned: readonly SearchHit[],
  options: PageOptions,
): SearchHits {
  const page = pinnedPage(options.position, pinned.length, options.size);
  const rest = mapHits(raw, { size: page.restSize, key: options.key, filters: options.filters });
  const pinnedItems = mapItems(pinned.slice(page.pinned.start, page.pinned.end), options.filters);
  const moreAfterPinned = page.pinned.end < pinned.length || raw.hits.hits.length > 0;
  return {
    total: rest.total + pinned.length,
    items: [...pinnedItems, ...rest.items],
    nextCursor:
      page.restSize === 0
        ? moreAfterPinned
          ? encodePinnedCursor(options.key, page.pinned.end)
          : null
        : rest.nextCursor,
  };
}
