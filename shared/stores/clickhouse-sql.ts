import type { ClickHouseClient } from './clickhouse.js';

/**
 * ClickHouse 18.16 has no server-side query parameters, so values reach SQL as literals. This
 * module is the only way a query is built: `sql` is a tagged template whose every interpolated
 * value goes through `literal()`, the one escaping function. A `Sql` fragment is recognised by
 * identity (a WeakSet of fragments this module made), so a look-alike `{ text }` object built from
 * request input is not SQL: it reaches `literal()` and is refused.
 */
export interface Sql {
  readonly text: string;
}

/** What may be written as a literal: text, a safe integer, or a whole-second UTC time. */
export type SqlValue = string | number | bigint | Date;

const fragments = new WeakSet<Sql>();

function isSql(value: unknown): value is Sql {
  return typeof value === 'object' && value !== null && fragments.has(value as Sql);
}

/** `sql\`… ${value} …\``: values become literals, nested `Sql` fragments are kept as written. */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlValue | Sql)[]): Sql {
  if (!Object.isFrozen(strings) || !Array.isArray(strings.raw)) {
    throw new TypeError('sql must be used as a template tag');
  }
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += isSql(value) ? value.text : literal(value);
    text += strings[i + 1] ?? '';
  });
  const fragment: Sql = Object.freeze({ text });
  fragments.add(fragment);
  return fragment;
}

/** Comma-separated literals, e.g. for `IN (…)`. */
export function list(values: readonly SqlValue[]): Sql {
  if (values.length === 0) throw new TypeError('an SQL list needs at least one value');
  const parts = values.map((v) => sql`${v}`);
  return parts.slice(1).reduce((acc, part) => sql`${acc}, ${part}`, parts[0] as Sql);
}

/** Earliest and latest instants a ClickHouse DateTime (UInt32 seconds) can hold. */
export const DATETIME_MIN_MS = 0;
export const DATETIME_MAX_MS = 4_294_967_295_000;

// Lone surrogates cannot be encoded as UTF-8: the HTTP body would silently carry U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Backslash, quote, and every ASCII control character (C0 and DEL).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\'\u0000-\u001f\u007f]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(char: string): string {
  return NAMED_ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * THE escaping function: the only place a value becomes SQL text.
 * - string: single-quoted; backslash and quote escaped, control characters written as escapes
 *   (so the query text stays one printable line); other Unicode passes through as UTF-8.
 * - number / bigint: only integers (safe integers for numbers), written in decimal.
 * - Date: only valid whole-second instants within the DateTime range, written as
 *   `toDateTime('YYYY-MM-DD hh:mm:ss', 'UTC')` so the server's time zone never matters.
 * Anything else throws: callers validate first, so a throw here is a programming error.
 */
export function literal(value: SqlValue): string {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new TypeError('string literal is not well-formed UTF-16');
    return `'${value.replace(NEEDS_ESCAPE, escapeChar)}'`;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${String(value)}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString(10);
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new TypeError('invalid date');
    if (ms % 1000 !== 0) throw new TypeError('DateTime literals hold whole seconds');
    if (ms < DATETIME_MIN_MS || ms > DATETIME_MAX_MS) throw new TypeError('date out of range');
    // 1970…2106: always a four-digit year, so the ISO form cut to seconds is the wanted layout.
    const text = value.toISOString().slice(0, 19).replace('T', ' ');
    return `toDateTime('${text}', 'UTC')`;
  }
  throw new TypeError(`cannot write ${typeof value} as an SQL literal`);
}

/**
 * ClickHouse 18.16 writes 64-bit integers as JSON strings; smaller ones and floats as numbers.
 * Converts either to a JS number, refusing anything that would lose precision.
 */
export function toNumber(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TypeError(`not a number from ClickHouse: ${String(value)}`);
  }
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    throw new TypeError(`integer beyond 2^53 from ClickHouse: ${String(value)}`);
  }
  return n;
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** A DateTime read as toUnixTimestamp(…) → an ISO-8601 string in UTC ending in Z. */
export function isoFromUnix(value: unknown): string {
  return new Date(toNumber(value) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Runs one read-only SELECT as JSONEachRow. `readonly=2` makes the server refuse anything but
 * reads (while still accepting the client's settings), a second wall behind the escaping.
 */
export async function select<Row>(client: ClickHouseClient, query: Sql): Promise<Row[]> {
  const result = await client.query({
    query: query.text,
    format: 'JSONEachRow',
    clickhouse_settings: { readonly: '2', max_execution_time: 30 },
  });
  return result.json<Row>();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value that must be a UUID before it becomes a literal (18.16 compares UUIDs with strings). */
export function uuid(id: string): string {
  if (!UUID.test(id)) throw new TypeError(`not a UUID: ${JSON.stringify(id)}`);
  return id;
}

/** A validated UUID as a quoted SQL literal. */
export const uuidLiteral = (id: string): string => literal(uuid(id));
