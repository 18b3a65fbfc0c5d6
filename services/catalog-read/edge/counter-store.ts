import { createRequire } from 'node:module';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from '../../../shared/stores/redis.js';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/** The part of @fastify/rate-limit's own Redis store this wrapper uses. */
interface PluginRedisStore {
  incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void;
}

type PluginRedisStoreCtor = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key: string,
) => PluginRedisStore;

// The plugin's Redis store (one Lua INCR + PEXPIRE per request) is not re-exported by its main
// entry; the package has no `exports` map, so its file is reachable by path.
const require = createRequire(import.meta.url);
const RedisStore = require('@fastify/rate-limit/store/RedisStore') as PluginRedisStoreCtor;

export interface CounterStoreOptions {
  readonly redis: Redis;
  /** Prefix of every counter key (ends with a separator). */
  readonly keyPrefix: string;
  /** Longest wait for a counter; past it the request goes on uncounted. */
  readonly timeoutMs: number;
  /** Called for every counter that could not be had (Redis away, slow, or failing). */
  readonly onUnavailable: (error: Error) => void;
}

/**
 * The plugin's Redis store with a deadline. The connection is catalog-read's own, whose command
 * timeout is the request-path deadline (seconds); a limiter must not add that to every search
 * while Redis is slow, so it gives up much sooner, and at once when the connection is not up.
 * The plugin runs with skipOnError, so a counter that fails lets the request through.
 */
export function counterStore(options: CounterStoreOptions): FastifyRateLimitStoreCtor {
  const { redis, timeoutMs, onUnavailable } = options;
  const store = new RedisStore(false, false, redis, options.keyPrefix);
  return class DeadlineRedisStore implements FastifyRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void {
      if (redis.status !== 'ready') {
        const error = new Error(`redis connection is ${redis.status}`);
        onUnavailable(error);
        callback(error);
        return;
      }
      let settled = false;
      const settle: IncrCallback = (error, result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) onUnavailable(error);
        callback(error, result);
      };
      const timer = setTimeout(
        () => settle(new Error(`no rate-limit counter within ${timeoutMs} ms`)),
        timeoutMs,
      );
      store.incr(key, settle, timeWindow, max);
    }

    /** Route-level limits would get their own store; this service only uses the global one. */
    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
