import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Problem } from '../../../shared/http/problems.js';
import type { Pool, PoolClient } from '../../../shared/stores/postgres.js';
import {
  claimKey,
  completeKey,
  pruneExpiredKeys,
  releaseKey,
  type KeyRef,
  type StoredResponse,
} from '../../../shared/write-model/idempotency/store.js';

/** Headers a replay must repeat for the client to see the same answer. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'x-aisle-version'] as const;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface IdempotencyState {
  readonly ref: KeyRef;
  completed: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: IdempotencyState;
  }
  interface FastifyContextConfig {
    /** A change route other than POST that stores and replays its answer by Idempotency-Key. */
    idempotencyKeyed?: boolean;
  }
}

/** Canonical JSON: the same body with keys in another order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n${canonical(body ?? null)}`)
    .digest('hex');
}

/**
 * Records the response a command is about to commit, in its transaction, so a crash can never
 * leave a committed command whose key would run it again. No-op without an Idempotency-Key.
 */
export async function recordIdempotentResponse(
  request: FastifyRequest,
  client: PoolClient,
  response: StoredResponse,
): Promise<void> {
  const state = request.idempotency;
  if (state === undefined) return;
  await completeKey(client, state.ref, response, true);
  state.completed = true;
}

function replay(reply: FastifyReply, response: StoredResponse): FastifyReply {
  return reply
    .code(response.status)
    .headers(response.headers)
    .header('idempotent-replayed', 'true')
    .send(response.body);
}

async function claim(
  pool: Pool,
  ttlSeconds: number,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (request.routeOptions.config.idempotency === 'manual') return undefined;
  const key = request.headers['idempotency-key'];
  const keyed = request.method === 'POST' || request.routeOptions.config.idempotencyKeyed === true;
  if (key === undefined || !keyed) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new Problem(
      'validation_failed',
      'Idempotency-Key must be 1 to 255 visible ASCII characters',
      [{ field: 'headers.idempotency-key', message: 'is invalid' }],
    );
  }
  const ref = { principal: request.principal ?? 'anonymous', key };
  const outcome = await claimKey(
    pool,
    ref,
    requestHash(request.method, request.url, request.body),
    ttlSeconds,
  );
  switch (outcome.kind) {
    case 'claimed':
      request.idempotency = { ref: { ...ref, token: outcome.token }, completed: false };
      return undefined;
    case 'replay':
      return replay(reply, outcome.response);
    case 'mismatch':
      throw new Problem(
        'idempotency_key_reused',
        'this Idempotency-Key was used with a different request',
      );
    case 'in_progress':
      throw new Problem(
        'idempotency_key_in_use',
        'retry once the first request has finished',
        undefined,
        {
          'retry-after': '1',
        },
      );
  }
}

/** Stores outcomes that did not go through a command transaction (4xx), or frees the key (5xx). */
async function settle(
  pool: Pool,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<void> {
  const state = request.idempotency;
  if (state === undefined || state.completed) return;
  state.completed = true;
  if (reply.statusCode >= 500) return releaseKey(pool, state.ref);
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  await completeKey(pool, state.ref, {
    status: reply.statusCode,
    headers,
    body: typeof payload === 'string' ? payload : '',
  });
}

/**
 * Idempotency-Key on POST routes, as Stripe defines it: the first response is stored and
 * returned again for a retry with the same key and body; another body with that key is 422;
 * a retry while the first is still running is 409. Keys are per caller and expire.
 */
export const idempotencyPlugin = fp(
  (app: FastifyInstance, opts: { pool: Pool; ttlSeconds: number; pruneEveryMs?: number }) => {
    app.addHook('preHandler', (request, reply) =>
      claim(opts.pool, opts.ttlSeconds, request, reply),
    );
    app.addHook('onSend', async (request, reply, payload) => {
      await settle(opts.pool, request, reply, payload);
      return payload;
    });
    const pruning = setInterval(() => {
      pruneExpiredKeys(opts.pool).catch((error: unknown) =>
        app.log.warn({ err: error }, 'pruning idempotency keys failed'),
      );
    }, opts.pruneEveryMs ?? 600_000);
    pruning.unref();
    app.addHook('onClose', (_instance, done) => {
      clearInterval(pruning);
      done();
    });
  },
  { name: 'aisle-idempotency' },
);
