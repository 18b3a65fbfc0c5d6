import { randomUUID } from 'node:crypto';
import type { Redis } from '../stores/redis.js';

/** The key of the lock that keeps two rebuilds of the same read model from running at once. */
export const rebuildLockKey = (prefix: string, model: string): string =>
  `${prefix}:rebuild:${model}:lock`;

/** Extends the expiry only if this holder still owns the lock. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** Deletes the lock only if this holder still owns it (an expired lock may have a new owner). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export class LockBusy extends Error {
  override name = 'LockBusy';
}

/** Waits `ms`; an abort ends the wait at once with the signal's reason (e.g. "interrupted by SIGINT"). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RebuildLock {
  /** Aborted when a renewal finds the lock gone or taken: the holder must stop before changing what readers see. */
  readonly lost: AbortSignal;
  /** Throws unless this holder owns the lock right now (checked in Redis, not from memory). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/**
 * SET NX PX with a random token, renewed every third of its expiry while the rebuild runs. A CLI
 * that dies leaves the lock to expire after `ttlMs`, so a crashed rebuild never blocks the next
 * one for long; the token makes renewal and release safe against a lock that expired and was
 * taken by someone else meanwhile.
 */
export async function acquireRebuildLock(
  redis: Redis,
  key: string,
  ttlMs = 30_000,
): Promise<RebuildLock> {
  const token = `${process.pid}:${randomUUID()}`;
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') {
    const owner = await redis.get(key);
    const left = await redis.pttl(key);
    throw new LockBusy(
      `another rebuild holds ${key} (owner ${owner ?? '?'}, expires in ${Math.max(left, 0)} ms); wait for it to finish`,
    );
  }
  const lost = new AbortController();
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = redis
        .eval(RENEW, 1, key, token, String(ttlMs))
        .then((renewed) => {
          if (renewed !== 1) lost.abort(new Error(`the rebuild lock ${key} was lost`));
        })
        .catch(() => undefined); // a blip: the next renewal retries well before expiry
    },
    Math.floor(ttlMs / 3),
  );
  timer.unref();
  return {
    lost: lost.signal,
    assertHeld: async () => {
      if ((await redis.get(key)) !== token) {
        const error = new Error(`the rebuild lock ${key} was lost`);
        lost.abort(error);
        throw error;
      }
    },
    release: async () => {
      clearInterval(timer);
      await renewing;
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
