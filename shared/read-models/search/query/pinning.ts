import { SOURCE_FIELDS, type Json, type SearchBodyInput } from './build-search-body.js';
import type { SortValue } from './cursor.js';
import { VISIBLE, clausesBut, groupFilters } from './filters.js';

/**
 * Pinned products on a search's pages (query rules, API.md "Search merchandising"). The results
 * are one list: the pinned products that pass the request's filters, in the rules' order, then
 * every other match in the requested sort. With the usual page sizes the pinned ones fill the
 * top of page 1; pages and cursors are positions in that one list, so nothing is shown twice or
 * skipped, and `total` counts both parts.
 */

/** Where a page starts: an offset (page mode), or where a cursor left off. */
export type ListPosition =
  | { readonly from: number }
  | { readonly searchAfter: readonly SortValue[] }
  /** A cursor issued while pinned products were still being shown: how many were. */
  | { readonly pinnedShown: number };

/** A page of the list: which pinned products, and where and how much of the rest. */
export interface PinnedPage {
  /** Indices into the pinned products that pass the filters: [start, end). */
  readonly pinned: { readonly start: number; readonly end: number };
  /** Where the rest starts (an offset into the rest, or a search_after). */
  readonly rest: { readonly from: number } | { readonly searchAfter: readonly SortValue[] };
  readonly restSize: number;
}

export function pinnedPage(position: ListPosition, pinnedCount: number, size: number): PinnedPage {
  if ('searchAfter' in position) {
    return { pinned: { start: 0, end: 0 }, rest: position, restSize: size };
  }
  const start = 'from' in position ? position.from : position.pinnedShown;
  const pinned = {
    start: Math.min(start, pinnedCount),
    end: Math.min(start + size, pinnedCount),
  };
  const shown = pinned.end - pinned.start;
  return {
    pinned,
    rest: { from: Math.max(0, start - pinnedCount) },
    restSize: size - shown,
  };
}

/**
 * Whether the page can be laid out before the number of pinned products passing the filters is
 * known: only when the rest starts at its beginning whatever that number is.
 */
export const needsPinnedCountFirst = (position: ListPosition): boolean =>
  'from' in position && position.from > 0;

/** The pinned products that pass the filters (the same clauses as the hits'); order is the caller's. */
export function pinnedBody(input: SearchBodyInput): Json {
  const pinned = input.pinned ?? [];
  return {
    size: pinned.length,
    track_total_hits: false,
    _source: [...SOURCE_FIELDS],
    query: {
      bool: {
        filter: [
          VISIBLE,
          { ids: { values: [...pinned] } },
          ...clausesBut(groupFilters(input.filters)),
        ],
      },
    },
  };
}

/** The hits of pinnedBody in the rules' order. */
export function inPinOrder<T extends { readonly _id: string }>(
  hits: readonly T[],
  pinned: readonly string[],
): T[] {
  const rank = new Map(pinned.map((id, i) => [id, i]));
  return [...hits].sort((a, b) => (rank.get(a._id) ?? 0) - (rank.get(b._id) ?? 0));
}

/** The body of the rest's part of a page: where it starts (its size stays; the page trims). */
export function restBody(
  input: SearchBodyInput,
  position: ListPosition,
  pinnedCount: number,
): SearchBodyInput {
  const page = pinnedPage(position, pinnedCount, input.size);
  const rest: { -readonly [K in keyof SearchBodyInput]: SearchBodyInput[K] } = { ...input };
  delete rest.from;
  delete rest.searchAfter;
  return { ...rest, ...page.rest };
}
