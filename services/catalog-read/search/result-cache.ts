import type {
  GenerationSource,
  GenerationState,
} from '../../../shared/read-models/search/generation.js';

/**
 * An in-process cache of search answers, bounded in bytes and in age.
 *
 * Values are kept as they were stored, deep-frozen, so a hit costs no parsing (a search answer is
 * tens of kilobytes of JSON: parsing it on every hit cost more than the rest of the route). An
 * entry is counted as its size in bytes when the caller knows it (a rendered body), otherwise as
 * its JSON text in UTF-16, 2 bytes a character (V8's widest string form, an upper bound of what
 * the objects hold), plus its key the same way and a fixed overhead; least recently used entries
 * go first when a new one would not fit.
 *
 * How long an entry is served (see `servable`): each records the index generation it was
 * computed under (generation.ts). While that generation is current and followed, an entry
 * computed at least `settleMs` (the index refresh + the generation poll) after this instance saw
 * the generation change lives up to `maxAgeMs`: it was computed after the change's refresh, and
 * it is dropped as soon as the next change is seen. Every other entry (computed right after a
 * change, when it may predate the refresh, or while the generation cannot be followed) lives
 * `ttlMs`, so an answer is never older than the index by more than ttlMs: the staleness bound is
 * refresh interval + ttlMs in both modes.
 */
export interface ResultCacheOptions {
  /** 0 disables the cache. */
  readonly maxBytes: number;
  readonly ttlMs: number;
  /** The life of an entry whose generation stays current; default (and at least) ttlMs. */
  readonly maxAgeMs?: number;
  /** Index refresh interval + generation poll interval. */
  readonly settleMs?: number;
  /** Default: none followed, every entry lives ttlMs. */
  readonly generation?: GenerationSource;
  /** Milliseconds; injectable so tests control time. */
  readonly now?: () => number;
}

export interface CacheLimits {
  readonly ttlMs: number;
  readonly maxAgeMs: number;
  readonly settleMs: number;
}

/** When and under which generation an answer was computed (taken before the engine is asked). */
export interface CacheStamp {
  readonly computedAt: number;
  /** Undefined: computed while the generation was not followed. */
  readonly generation: number | undefined;
  /**
   * When the oldest cached value the answer was built from was stored; undefined when it used
   * none (it is stored when it is stored). An answer built from a cached part lives no longer
   * than that part would.
   */
  readonly storedAt?: number;
}

export interface EntryTimes extends CacheStamp {
  readonly storedAt: number;
}

/** The older of two stamps; a generation only when both were computed under the same one. */
export function olderStamp(a: CacheStamp, b: CacheStamp): CacheStamp {
  const stored = [a.storedAt, b.storedAt].filter((t) => t !== undefined);
  return {
    computedAt: Math.min(a.computedAt, b.computedAt),
    generation: a.generation === b.generation ? a.generation : undefined,
    ...(stored.length === 0 ? {} : { storedAt: Math.min(...stored) }),
  };
}

/**
 * Whether an entry may be served at `now`. Followed, an entry of another generation never is;
 * one of the current generation computed `settleMs` or more after the change was seen lives
 * `maxAgeMs`. Anything else (not followed, computed while not followed, or too soon after the
 * change) lives `ttlMs`.
 */
export function servable(
  entry: EntryTimes,
  state: GenerationState,
  now: number,
  limits: CacheLimits,
): boolean {
  const age = now - entry.storedAt;
  if (!state.followed || entry.generation === undefined) return age < limits.ttlMs;
  if (entry.generation !== state.generation) return false;
  const settled = entry.computedAt >= state.changedAt + limits.settleMs;
  return age < (settled ? Math.max(limits.maxAgeMs, limits.ttlMs) : limits.ttlMs);
}

interface Entry extends EntryTimes {
  readonly value: unknown;
  readonly bytes: number;
}

/** A value and the stamp of the answer it came from. */
export interface CachedValue<T> {
  readonly value: T;
  readonly stamp: CacheStamp;
}

/** Freezes a JSON-like value throughout: cached values are shared by every hit. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  // Bytes (a rendered body) cannot be frozen; nothing writes to them.
  if (ArrayBuffer.isView(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

/** Map entry, key object and bookkeeping, counted for every entry. */
export const ENTRY_OVERHEAD_BYTES = 128;

const unfollowed: GenerationSource = { current: () => ({ followed: false }) };

export class ResultCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytesUsed = 0;
  private readonly now: () => number;
  private readonly generation: GenerationSource;
  private readonly limits: CacheLimits;

  constructor(private readonly options: ResultCacheOptions) {
    this.now = options.now ?? Date.now;
    this.generation = options.generation ?? unfollowed;
    this.limits = {
      ttlMs: options.ttlMs,
      maxAgeMs: options.maxAgeMs ?? options.ttlMs,
      settleMs: options.settleMs ?? 0,
    };
  }

  get enabled(): boolean {
    return this.options.maxBytes > 0 && this.options.ttlMs > 0;
  }

  /** Bytes held (see the top of this file for how they are counted). */
  get bytes(): number {
    return this.bytesUsed;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Take this before asking the engine and store the answer with it: an answer computed across
   * a change belongs to the generation it started under, which the change ends.
   */
  stamp(): CacheStamp {
    const state = this.generation.current();
    return { computedAt: this.now(), generation: state.followed ? state.generation : undefined };
  }

  get<T>(key: string): T | undefined {
    return this.read<T>(key)?.value;
  }

  /** The value with the stamp it was stored with (an answer built from it is no newer). */
  read<T>(key: string): CachedValue<T> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (!servable(entry, this.generation.current(), this.now(), this.limits)) {
      this.bytesUsed -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    const { computedAt, generation, storedAt } = entry;
    return { value: entry.value as T, stamp: { computedAt, generation, storedAt } };
  }

  /**
   * Whether an answer stamped `stamp` now is as good as a cached one: one being computed may be
   * shared by a request that arrives meanwhile on the same terms as a stored entry.
   */
  fresh(stamp: CacheStamp): boolean {
    const entry = { ...stamp, storedAt: stamp.storedAt ?? stamp.computedAt };
    return servable(entry, this.generation.current(), this.now(), this.limits);
  }

  /**
   * Stores `value` (frozen: never change it afterwards). `size` is its size in bytes when the
   * caller knows it (a rendered body); otherwise it is serialized once to be counted. An answer
   * that could not be served any more (computed under a generation that has ended meanwhile) is
   * not stored, so it never replaces a newer entry.
   */
  set(key: string, value: unknown, stamp: CacheStamp = this.stamp(), size?: number): void {
    if (!this.enabled) return;
    const now = this.now();
    const times: EntryTimes = { ...stamp, storedAt: stamp.storedAt ?? now };
    if (!servable(times, this.generation.current(), now, this.limits)) return;
    const bytes =
      (size ?? 2 * JSON.stringify(value).length) + 2 * key.length + ENTRY_OVERHEAD_BYTES;
    this.delete(key);
    if (bytes > this.options.maxBytes) return;
    this.evictExpired();
    for (const [oldest] of this.entries) {
      if (this.bytesUsed + bytes <= this.options.maxBytes) break;
      this.delete(oldest);
    }
    this.entries.set(key, { value: deepFreeze(value), bytes, ...times });
    this.bytesUsed += bytes;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytesUsed -= entry.bytes;
  }

  /**
   * Entries no longer servable at the old end of the recency order. Lives differ (ttlMs or
   * maxAgeMs, and a change of generation ends many at once), so some may wait further in; they
   * cost bytes only until evicted or read.
   */
  private evictExpired(): void {
    const now = this.now();
    const state = this.generation.current();
    for (const [key, entry] of this.entries) {
      if (servable(entry, state, now, this.limits)) return;
      this.delete(key);
    }
  }
}
