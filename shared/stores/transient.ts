/**
 * Transient is not poison (DESIGN rule 9): a store that is down, slow or refusing connections
 * fails every call alike, and the same call succeeds once it is back. These are told apart here,
 * once, for every store client Aisle uses, so that request paths answer 503 + Retry-After and
 * projections pause instead of dead-lettering.
 */

/** Socket-level failures: nothing was decided by the store about this request. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** Raised by Aisle's own code for a store's answer that means "later" (a bulk item's 429/503). */
export class TransientStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientStoreError';
  }
}

/** Error class names of the search clients and ioredis for an unreachable or slow store. */
const TRANSIENT_NAMES = new Set([
  'TransientStoreError',
  'TimeoutError',
  'ConnectionError',
  'NoLivingConnectionsError',
  'MaxRetriesPerRequestError',
]);

/** Postgres: connection exceptions (08), shutdown / cannot connect now (57P0x), too many connections. */
const PG_TRANSIENT = /^(08...|57P0[1-3]|53300)$/;

const TRANSIENT_MESSAGES = [
  /connection (is )?(closed|terminated)/i,
  /timeout exceeded when trying to connect/i,
  /command timed out/i,
  /stream isn't writeable/i,
  /socket hang up/i,
  /^timeout error/i,
];

/** HTTP statuses of a search engine or ClickHouse that say "later", not "never". */
const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);

function fieldsOf(error: object): { code?: unknown; name?: unknown; message?: unknown } {
  return error;
}

function statusOf(error: object): number | undefined {
  const meta = (error as { meta?: { statusCode?: unknown } }).meta;
  if (typeof meta?.statusCode === 'number') return meta.statusCode;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** True when the error says a store is away or overloaded; false for a refusal of this call. */
export function isTransientStoreError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, name, message } = fieldsOf(error);
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_TRANSIENT.test(code))) return true;
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  const status = statusOf(error);
  if (status !== undefined && TRANSIENT_STATUSES.has(status)) return true;
  if (typeof message === 'string' && TRANSIENT_MESSAGES.some((m) => m.test(message))) return true;
  const nested = [
    (error as { cause?: unknown }).cause,
    ...((error as { errors?: unknown }).errors instanceof Array
      ? (error as { errors: unknown[] }).errors
      : []),
  ];
  return nested.some((inner) => isTransientStoreError(inner, depth + 1));
}
