import cors from '@fastify/cors';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import type { Config } from '../../../shared/config/index.js';
import { Problem } from '../../../shared/http/problems.js';
import type { Redis } from '../../../shared/stores/redis.js';
import { budgetOfKey, budgetOfRoute, counterKey, maxOfBudget } from './budgets.js';
import { syncedCounterStore } from './counter-store.js';

/** Request headers a storefront page sends that are not CORS-safelisted. */
const ALLOWED_REQUEST_HEADERS = ['if-none-match', 'x-aisle-min-version', 'x-request-id'];
/** Response headers a page's script needs to read (Cache-Control is safelisted already). */
const EXPOSED_RESPONSE_HEADERS = [
  'etag',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];
/** How long a browser may reuse a preflight answer (seconds; browsers cap it at 2 h or less). */
const PREFLIGHT_MAX_AGE_S = 600;
/**
 * Client keys (budget and client) one instance keeps in memory, about 20 MB at most. Dropping
 * one costs little: Redis still has its count, which the key's next sync brings back.
 */
const MAX_TRACKED_KEYS = 100_000;

export type PublicEdgeConfig = Pick<
  Config,
  | 'corsOrigins'
  | 'redisKeyPrefix'
  | 'rateLimitEnabled'
  | 'rateLimitWindowMs'
  | 'rateLimitSearchMax'
  | 'rateLimitReadMax'
  | 'rateLimitStoreTimeoutMs'
  | 'rateLimitSyncMs'
>;

/**
 * CORS and per-client request budgets for the public API. Register it before the routes: the
 * limiter attaches itself to routes as they are added.
 */
export async function registerPublicEdge(
  app: FastifyInstance,
  config: PublicEdgeConfig,
  redis: Redis,
): Promise<void> {
  // @fastify/cors answers an OPTIONS that is no preflight (no Origin or no
  // Access-Control-Request-Method) with a text/plain 400; here it is what any other method the
  // route lacks is: a 404 problem document.
  app.addHook('onRequest', (request, reply, done) => {
    const { origin, 'access-control-request-method': method } = request.headers;
    if (request.method === 'OPTIONS' && (!origin || !method)) return void reply.callNotFound();
    done();
  });
  await app.register(cors, {
    // `*` suits this API: it is public, read-only and takes no credentials (no cookies, no
    // Authorization), so a page on another origin can read nothing its server could not fetch.
    origin: config.corsOrigins === '*' ? '*' : [...config.corsOrigins],
    methods: ['GET', 'HEAD', 'OPTIONS'],
    // Joined once here: the plugin joins an array again on every response.
    allowedHeaders: ALLOWED_REQUEST_HEADERS.join(', '),
    exposedHeaders: EXPOSED_RESPONSE_HEADERS.join(', '),
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
  if (config.rateLimitEnabled) await registerRateLimit(app, config, redis);
}

async function registerRateLimit(
  app: FastifyInstance,
  config: PublicEdgeConfig,
  redis: Redis,
): Promise<void> {
  const limited = new Counter({
    name: 'aisle_rate_limited_total',
    help: 'Requests refused with 429 because their client spent its budget, by budget.',
    labelNames: ['budget'] as const,
    registers: [app.metrics],
  });
  const uncounted = new Counter({
    name: 'aisle_rate_limit_uncounted_total',
    help: 'Requests only this instance counts: the sync that carried them to Redis failed or was too slow.',
    registers: [app.metrics],
  });
  const synced = new Counter({
    name: 'aisle_rate_limit_synced_total',
    help: 'Requests whose count this instance added to the shared counters in Redis.',
    registers: [app.metrics],
  });
  let syncFailing = false;
  const store = syncedCounterStore({
    redis,
    keyPrefix: `${config.redisKeyPrefix}:ratelimit:`,
    syncMs: config.rateLimitSyncMs,
    timeoutMs: config.rateLimitStoreTimeoutMs,
    maxKeys: MAX_TRACKED_KEYS,
    onSyncFailed: (error, requests) => {
      // One warning per outage, not one per sync.
      if (!syncFailing) {
        app.log.warn(
          { err: error },
          'rate-limit counters do not reach Redis; limiting per instance',
        );
      }
      syncFailing = true;
      uncounted.inc(requests);
    },
    onSynced: (requests) => synced.inc(requests),
    onSyncRecovered: () => {
      syncFailing = false;
      app.log.info('rate-limit counters reach Redis again');
    },
  });
  // Before the store plugin closes Redis: what this instance counted last still reaches it.
  app.addHook('preClose', () => store.stop());
  // Added before the plugin's own onRoute hook: a route outside every budget gets no limiter
  // hook at all, so health probes, metrics, docs and preflights never spend a budget.
  app.addHook('onRoute', (route) => {
    if (budgetOfRoute(route.url) === undefined)
      route.config = { ...route.config, rateLimit: false };
  });
  const clientOf = memoizedClients();
  const limits = { searchMax: config.rateLimitSearchMax, readMax: config.rateLimitReadMax };
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: config.rateLimitWindowMs,
    // The client is request.ip (see TRUST_PROXY); an IPv6 client is its /64, which it owns whole.
    keyGenerator: (request) =>
      counterKey(budgetOfRoute(request.routeOptions.url) ?? 'read', clientOf(request.ip)),
    max: (_request, key) => maxOfBudget(budgetOfKey(key), limits),
    // Counted in memory, synced to Redis in the background: no request waits on Redis.
    store: store.Store,
    skipOnError: true,
    // RateLimit-Limit, -Remaining, -Reset on every limited route; Retry-After on a 429.
    enableDraftSpec: true,
    onExceeded: (_request, key) => limited.inc({ budget: budgetOfKey(key) }),
    errorResponseBuilder: (request, context) => {
      const budget = budgetOfRoute(request.routeOptions.url) ?? 'read';
      return new Problem(
        'too_many_requests',
        `This client made more than ${context.max} ${budget} requests in ` +
          `${config.rateLimitWindowMs / 1000} s; retry in ${context.after}.`,
      );
    },
  });
}

/**
 * normalizeIP parses every IPv6 address (about 10 µs, as much as the rest of the limiter), so
 * the clients seen lately are remembered; the memo starts over when it is full.
 */
function memoizedClients(max = 10_000): (ip: string) => string {
  const clients = new Map<string, string>();
  return (ip) => {
    let client = clients.get(ip);
    if (client === undefined) {
      if (clients.size >= max) clients.clear();
      client = normalizeIP(ip);
      clients.set(ip, client);
    }
    return client;
  };
}
