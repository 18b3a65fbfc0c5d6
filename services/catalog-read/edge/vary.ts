import type { FastifyInstance, onSendHookHandler, RouteOptions } from 'fastify';

const MIN_VERSION_HEADER = 'x-aisle-min-version';

/** The response header the Vary value names (its canonical spelling). */
const MIN_VERSION_VARY = 'X-Aisle-Min-Version';

/**
 * The Vary value with `name` added once (pure): header names compare case-insensitively, and a
 * `*` already varies on everything. `current` is what the response holds so far, if anything.
 */
export function withVary(current: string | number | string[] | undefined, name: string): string {
  // The common case on a hot route: nothing set Vary before.
  if (current === undefined) return name;
  const names = [current ?? []]
    .flat()
    .flatMap((value) => String(value).split(','))
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const lower = names.map((n) => n.toLowerCase());
  if (lower.includes('*') || lower.includes(name.toLowerCase())) return names.join(', ');
  return [...names, name].join(', ');
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads X-Aisle-Min-Version itself, without declaring it in its schema. */
    readsMinVersionHeader?: boolean;
  }
}

/** A route reads the header when its schema declares it or its config says so. */
function readsMinVersionHeader(route: RouteOptions): boolean {
  if (route.config?.readsMinVersionHeader === true) return true;
  const headers = route.schema?.headers as { properties?: Record<string, unknown> } | undefined;
  return headers?.properties?.[MIN_VERSION_HEADER] !== undefined;
}

const addMinVersionVary: onSendHookHandler = (_request, reply, payload, done) => {
  void reply.header('vary', withVary(reply.getHeader('vary'), MIN_VERSION_VARY));
  done(null, payload);
};

/**
 * Every answer of a route that reads X-Aisle-Min-Version can differ by that header (a wait, a
 * 503, a 400 on a bad value), so each one, whatever its status and whether the request sent the
 * header, says `Vary: X-Aisle-Min-Version` for the caches in between. Register it before the
 * routes: it attaches itself to routes as they are added (their HEAD twins included).
 */
export function varyOnMinVersion(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!readsMinVersionHeader(route)) return;
    const existing = route.onSend === undefined ? [] : [route.onSend].flat();
    route.onSend = [...existing, addMinVersionVary];
  });
}
