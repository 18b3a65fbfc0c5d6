import { Redis } from 'ioredis';
import type { StoreHandle } from './store.js';

export type { Redis } from 'ioredis';

/**
 * `command` clients serve requests: a command waits through at most two reconnect attempts and
 * then fails, so a request never hangs on a Redis that is away. `blocking` clients are for
 * BullMQ workers, which must wait and retry forever.
 */
export function createRedis(
  url: string,
  role: 'command' | 'blocking',
  options: RedisOptions = {},
): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: role === 'blocking' ? null : 2,
    connectTimeout: 5_000,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  });
}

export interface RedisOptions {
  /** A command with no reply in this time fails (request paths: a hung Redis is a 503). */
  readonly commandTimeoutMs?: number;
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  // QUIT waits for the server: with the connection down it would wait (queued) until Redis
  // comes back, and a service could not stop during an outage. Nothing is in flight then.
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

export function openRedis(url: string, options: RedisOptions = {}): StoreHandle<Redis> {
  const redis = createRedis(url, 'command', options);
  // ioredis reconnects by itself; without a listener an outage would be an uncaught error.
  redis.on('error', () => undefined);
  return {
    name: 'redis',
    client: redis,
    ping: async () => {
      if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
      await redis.ping();
    },
    close: () => closeRedis(redis),
  };
}

/** BullMQ loses jobs under eviction; refuse to run on a Redis that may evict keys. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch {
    return; // managed Redis often disables CONFIG; the provider's setting is then the user's job
  }
  if (policy !== undefined && policy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${policy}"; Aisle needs "noeviction" (BullMQ jobs would be evicted). ` +
        'Run: redis-cli CONFIG SET maxmemory-policy noeviction',
    );
  }
}
