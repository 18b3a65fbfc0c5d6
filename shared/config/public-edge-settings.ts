import { isIP } from 'node:net';
import { boolean, integer, InvalidValue, type Parser } from './parsers.js';
import { setting } from './setting.js';

/** `*`, or the exact origins a browser may call from. */
export type CorsOrigins = '*' | readonly string[];

/** `*` or a comma list of origins, each exactly as a browser sends it in `Origin`. */
export function corsOrigins(): Parser<CorsOrigins> {
  return (raw) => {
    if (raw.trim() === '*') return '*';
    const origins = raw
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o.length > 0);
    if (origins.length === 0) throw new InvalidValue('must be * or a comma list of origins');
    for (const origin of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      // A browser sends scheme://host[:port] with nothing after it; anything else never matches.
      const exact = parsed !== undefined && /^https?:$/.test(parsed.protocol);
      if (!exact || parsed?.origin !== origin) {
        throw new InvalidValue(
          `has "${origin}", which is not an origin like https://shop.example.com (no path, no trailing slash)`,
        );
      }
    }
    return origins;
  };
}

/** Names proxy-addr (Fastify's trustProxy) knows for address ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Which hops may set X-Forwarded-For: a hop count, or addresses, CIDRs and range names. */
export type TrustedProxies = number | readonly string[];

export function trustedProxies(): Parser<TrustedProxies> {
  return (raw) => {
    if (/^\s*\d+\s*$/.test(raw)) return integer(1, 10)(raw);
    const entries = raw
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    for (const entry of entries) {
      const [address = '', bits, ...rest] = entry.split('/');
      const family = isIP(address);
      const bitsOk =
        bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
      if (!PROXY_RANGE_NAMES.includes(entry) && (family === 0 || !bitsOk || rest.length > 0)) {
        throw new InvalidValue(
          `has "${entry}": give a hop count (1-10) or addresses, CIDRs, ${PROXY_RANGE_NAMES.join(', ')}`,
        );
      }
    }
    if (entries.length === 0) throw new InvalidValue('names no proxy');
    return entries;
  };
}

/**
 * How the public storefront API (catalog-read) meets browsers and heavy clients: CORS, the
 * per-client request budgets, and which proxies say who the client is.
 */
export const publicEdgeSettings = {
  corsOrigins: setting({
    env: 'CORS_ORIGINS',
    doc: 'Origins whose pages may call catalog-read from the browser: * (any; the API is public and takes no credentials) or a comma list like https://shop.example.com.',
    default: '*',
    parse: corsOrigins(),
  }),
  trustProxy: setting({
    env: 'TRUST_PROXY',
    doc: "Proxies in front of catalog-read whose X-Forwarded-For names the client (a hop count, or addresses, CIDRs, loopback, uniquelocal). Unset: the peer address is the client, so behind a load balancer every client would share the balancer's rate-limit budget.",
    parse: trustedProxies(),
  }),
  rateLimitEnabled: setting({
    env: 'RATE_LIMIT_ENABLED',
    doc: 'Limit how many /v1 requests one client (IP address) makes per window; over it, 429 with Retry-After. Counters are shared through Redis, so they hold across instances.',
    default: 'true',
    parse: boolean(),
  }),
  rateLimitWindowMs: setting({
    env: 'RATE_LIMIT_WINDOW_MS',
    doc: 'Length of a rate-limit window; each budget below is per client per window.',
    default: '60000',
    parse: integer(1000, 86_400_000),
  }),
  rateLimitSearchMax: setting({
    env: 'RATE_LIMIT_SEARCH_MAX',
    doc: 'Requests to /v1/search and /v1/suggest (together) one client may make per window: the expensive routes get the tighter budget.',
    default: '300',
    parse: integer(1, 1_000_000_000),
  }),
  rateLimitReadMax: setting({
    env: 'RATE_LIMIT_READ_MAX',
    doc: 'Requests to /v1/products/:id and /v1/categories (together) one client may make per window.',
    default: '1200',
    parse: integer(1, 1_000_000_000),
  }),
  rateLimitSyncMs: setting({
    env: 'RATE_LIMIT_SYNC_MS',
    doc: "How often each catalog-read adds the requests it counted to the shared counters in Redis and reads back every instance's total; requests are decided in memory and never wait on Redis. Across N instances a client may exceed a budget by what they admit in one such interval.",
    default: '100',
    parse: integer(10, 1000),
  }),
  rateLimitStoreTimeoutMs: setting({
    env: 'RATE_LIMIT_STORE_TIMEOUT_MS',
    doc: 'How long a rate-limit sync waits for Redis; past it (or with Redis away) its requests stay counted by this instance only, so limits hold per instance until Redis answers again.',
    default: '100',
    parse: integer(5, 5000),
  }),
} as const;
