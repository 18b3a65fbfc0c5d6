import { createHash } from 'node:crypto';
import { CANONICAL_UUID } from '../../http/validation.js';

/**
 * Where a page of the admin listing ended: the last item's sort key. `updatedAt` is the stored
 * timestamp at full Postgres precision (microseconds), so the next page starts exactly after it.
 */
export interface ListCursor {
  readonly updatedAt: string;
  readonly id: string;
}

/** `2026-11-23T06:00:00.123456Z`: what Postgres renders for the key, and all a cursor accepts. */
const MICROSECOND_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * A check over the key, so an edited or corrupted cursor is refused rather than read as another
 * position. Not a secret signature: a forged position would only list what the caller may list
 * anyway, from another starting point.
 */
const checkOf = (updatedAt: string, id: string): string =>
  createHash('sha256').update(`${updatedAt} ${id}`).digest('base64url').slice(0, 8);

/** Opaque to clients: base64url of the JSON array [updatedAt, id, check]. */
export function encodeCursor(cursor: ListCursor): string {
  const { updatedAt, id } = cursor;
  return Buffer.from(JSON.stringify([updatedAt, id, checkOf(updatedAt, id)]), 'utf8').toString(
    'base64url',
  );
}

/**
 * The cursor a client sent back, or undefined when it is not one this service issued (tampered,
 * truncated, another encoding): the check must hold, each part is validated, and it must
 * re-encode to the same text, so no second spelling is accepted and nothing unchecked reaches SQL.
 */
export function decodeCursor(raw: string): ListCursor | undefined {
  if (!BASE64URL.test(raw)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [updatedAt, id] = parsed as unknown[];
  if (typeof updatedAt !== 'string' || typeof id !== 'string') return undefined;
  if (!isRealInstant(updatedAt) || !CANONICAL_UUID.test(id)) return undefined;
  const cursor = { updatedAt, id };
  return encodeCursor(cursor) === raw ? cursor : undefined;
}

/** A well-formed key for a date that exists (no 13th month, no 31st of April). */
function isRealInstant(text: string): boolean {
  const millis = MICROSECOND_UTC.exec(text)?.[1];
  if (millis === undefined) return false;
  const date = new Date(`${millis}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString() === `${millis}Z`;
}
