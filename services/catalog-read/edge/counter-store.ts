import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from '../../../shared/stores/redis.js';
import { LocalCounters, type SyncItem, type SyncReply } from './local-counters.js';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/**
 * Adds one instance's unsent requests to a key and answers its global count and time left. The
 * first instance to count in a window creates the key with what is left of its own window;
 * every other instance then adopts that expiry, so all of them share one window per key.
 */
const SYNC_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, ttl}
`;

/** The script as ioredis adds it to a pipeline (its reply comes with the pipeline's). */
interface SyncPipeline {
  aisleRateLimitSync(key: string, increment: number, ttl: number): unknown;
}

export interface CounterStoreOptions {
  readonly redis: Redis;
  /** Prefix of every counter key (ends with a separator). */
  readonly keyPrefix: string;
  /** How often this instance's counts go to Redis (ms). */
  readonly syncMs: number;
  /** Longest wait for a sync's answer; past it its counts stay this instance's own. */
  readonly timeoutMs: number;
  /** Most client keys kept in memory. */
  readonly maxKeys: number;
  /** Called once per failed sync with the number of requests Redis did not get. */
  readonly onSyncFailed: (error: Error, uncounted: number) => void;
  /** Called once per successful sync with the number of requests it added to Redis. */
  readonly onSynced: (requests: number) => void;
  /** Called when a sync succeeds after one or more failed. */
  readonly onSyncRecovered: () => void;
  readonly now?: () => number;
}

/** The rate-limit store and what its owner must do with it. */
export interface SyncedCounterStore {
  readonly Store: FastifyRateLimitStoreCtor;
  /** Sends what is unsent now, then stops syncing (call before Redis closes). */
  stop(): Promise<void>;
  /** One sync now; resolves when its answer (or failure) is applied. Tests wait on it. */
  syncNow(): Promise<void>;
}

/**
 * A rate-limit store whose requests never wait on Redis: each request is counted and decided
 * in memory (LocalCounters), and every `syncMs` the counts go to Redis in one pipeline, which
 * answers each key's global count. Across instances a client can so exceed a budget by at most
 * what the instances admit before their next sync; with Redis away, each instance still limits
 * on its own counts.
 */
export function syncedCounterStore(options: CounterStoreOptions): SyncedCounterStore {
  const { redis, keyPrefix, timeoutMs } = options;
  const now = options.now ?? Date.now;
  const counters = new LocalCounters({ maxKeys: options.maxKeys });
  if (!('aisleRateLimitSync' in redis)) {
    redis.defineCommand('aisleRateLimitSync', { numberOfKeys: 1, lua: SYNC_SCRIPT });
  }
  let failing = false;
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function send(items: readonly SyncItem[]): Promise<SyncReply[]> {
    if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
    const pipeline = redis.pipeline();
    for (const item of items) {
      (pipeline as unknown as SyncPipeline).aisleRateLimitSync(
        keyPrefix + item.key,
        item.increment,
        item.ttl,
      );
    }
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(
        () => reject(new Error(`no rate-limit sync answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const replies = pipeline.exec();
    // Past the deadline nobody waits for it; a late failure must not be an unhandled rejection.
    replies.catch(() => undefined);
    try {
      const results = await Promise.race([replies, timedOut]);
      return (results ?? []).map(([error, reply]) => {
        if (error) throw error;
        const [count, ttl] = reply as [number, number];
        return { count, ttl };
      });
    } finally {
      clearTimeout(deadline);
    }
  }

  async function sync(): Promise<void> {
    counters.sweep(now());
    const items = counters.takeUnsent(now());
    if (items.length === 0) return;
    try {
      const replies = await send(items);
      const answered = now();
      items.forEach((item, i) => counters.applyReply(item, replies[i] as SyncReply, answered));
      options.onSynced(requestsOf(items));
      if (failing) options.onSyncRecovered();
      failing = false;
    } catch (error) {
      for (const item of items) counters.applyFailure(item);
      failing = true;
      options.onSyncFailed(error as Error, requestsOf(items));
    }
  }

  const requestsOf = (items: readonly SyncItem[]) =>
    items.reduce((sum, item) => sum + item.increment, 0);

  /** One sync at a time: a slow Redis delays the next sync, it never stacks them. */
  function syncOnce(): Promise<void> {
    running ??= sync().finally(() => (running = undefined));
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void syncOnce().then(schedule), options.syncMs);
    // A limiter alone never keeps the process alive.
    timer.unref();
  }
  schedule();

  class SyncedStore implements FastifyRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      callback(null, counters.count(key, timeWindow, now()));
    }

    /** Route-level limits would get their own store; this service only uses the global one. */
    child(): FastifyRateLimitStore {
      return this;
    }
  }

  return {
    Store: SyncedStore,
    syncNow: async () => {
      await running;
      await syncOnce();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await syncOnce();
    },
  };
}
