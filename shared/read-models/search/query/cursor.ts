import { createHash } from 'node:crypto';
import type { SearchFilters, SearchSort } from './params.js';
import { invalidParam } from './params.js';

/** A sort value the engine returns for a hit: numbers (score, price, time) and the id. */
export type SortValue = number | string;

const digest = (text: string, length: number): string =>
  createHash('sha256').update(text).digest('base64url').slice(0, length);

/**
 * Identifies what a cursor may continue: the searched words, the filters and the sort (not the
 * size, which may change between pages). Filters are canonical, so parameter order is irrelevant.
 */
export function searchKey(
  words: readonly string[],
  filters: SearchFilters,
  sort: SearchSort,
): string {
  return digest(
    JSON.stringify([
      words.join(' '),
      filters.category ?? null,
      filters.brands,
      filters.priceMin ?? null,
      filters.priceMax ?? null,
      filters.inStock,
      filters.attributes.map((a) => [a.name, a.values]),
      sort,
    ]),
    16,
  );
}

interface CursorPayload {
  /** Format version. */
  readonly v: 1;
  /** searchKey of the search that issued it. */
  readonly k: string;
  /** search_after values: the sort values of the last item returned. */
  readonly a: readonly SortValue[];
  /**
   * Instead of `a` (then empty): how many pinned products the pages so far showed, when the
   * last page ended among them (pinning.ts).
   */
  readonly p?: number;
  /** Checksum of k and a, so an edited cursor is refused rather than silently misread. */
  readonly c: string;
}

const checksum = (key: string, values: readonly SortValue[], pinnedShown?: number): string =>
  digest(
    `${key}\n${JSON.stringify(values)}${pinnedShown === undefined ? '' : `\np${pinnedShown}`}`,
    12,
  );

/**
 * An opaque cursor: base64url JSON of the search_after values with the search's key and a
 * checksum. It is not secret (there is nothing to hide: forged values only move the position
 * within the same search); it is checked so that a cursor reused with other filters or a damaged
 * one is answered with 400, not with a wrong page.
 */
export function encodeCursor(key: string, values: readonly SortValue[]): string {
  const payload: CursorPayload = { v: 1, k: key, a: values, c: checksum(key, values) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function parse(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isPayload(value: unknown, valueCount: number): value is CursorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  if (p['v'] !== 1 || typeof p['k'] !== 'string' || typeof p['c'] !== 'string') return false;
  const a = p['a'];
  if (p['p'] !== undefined) {
    return (
      Array.isArray(a) && a.length === 0 && Number.isSafeInteger(p['p']) && Number(p['p']) >= 0
    );
  }
  if (!Array.isArray(a) || a.length !== valueCount) return false;
  // Every sort ends with the id (a string); the values before it are numbers.
  return a.every((v: unknown, i) =>
    i === valueCount - 1 ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v),
  );
}

/** A cursor for the page after one that ended among the pinned products (pinning.ts). */
export function encodePinnedCursor(key: string, pinnedShown: number): string {
  const payload: CursorPayload = {
    v: 1,
    k: key,
    a: [],
    p: pinnedShown,
    c: checksum(key, [], pinnedShown),
  };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/**
 * The search_after values of a cursor issued for the search `key`, whose sort has `valueCount`
 * values; a 400 problem for anything else.
 */
export function decodeCursor(cursor: string, key: string, valueCount: number): SortValue[] {
  const position = decodeCursorPosition(cursor, key, valueCount);
  if ('searchAfter' in position) return position.searchAfter;
  throw invalidParam('cursor', 'is not a cursor this API issued (or it was altered)');
}

/** Where a cursor issued for the search `key` continues: after a hit, or among pinned products. */
export function decodeCursorPosition(
  cursor: string,
  key: string,
  valueCount: number,
): { searchAfter: SortValue[] } | { pinnedShown: number } {
  const payload = parse(cursor);
  if (!isPayload(payload, valueCount) || payload.c !== checksum(payload.k, payload.a, payload.p)) {
    throw invalidParam('cursor', 'is not a cursor this API issued (or it was altered)');
  }
  if (payload.k !== key) {
    throw invalidParam(
      'cursor',
      'was issued for another q, filter set or sort; repeat the same parameters or start again without cursor',
    );
  }
  return payload.p === undefined ? { searchAfter: [...payload.a] } : { pinnedShown: payload.p };
}
