/**
 * An in-process cache of search answers, bounded in bytes and in age.
 *
 * Values are kept as their JSON text, so the bound is exact: an entry costs its text and its key
 * as UTF-16 (2 bytes a character, V8's widest string form) plus a fixed overhead; least recently
 * used entries go first when a new one would not fit. Every entry lives at most `ttlMs` after it
 * was stored, whatever its use, so an answer is never older than that beyond the index's own
 * refresh: the staleness bound is refresh interval + ttlMs.
 */
export interface ResultCacheOptions {
  /** 0 disables the cache. */
  readonly maxBytes: number;
  readonly ttlMs: number;
  /** Milliseconds; injectable so tests control time. */
  readonly now?: () => number;
}

interface Entry {
  readonly json: string;
  readonly bytes: number;
  readonly expiresAt: number;
}

/** Map entry, key object and bookkeeping, counted for every entry. */
export const ENTRY_OVERHEAD_BYTES = 128;

export class ResultCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytesUsed = 0;
  private readonly now: () => number;

  constructor(private readonly options: ResultCacheOptions) {
    this.now = options.now ?? Date.now;
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

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.bytesUsed -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as T;
  }

  set(key: string, value: unknown): void {
    if (!this.enabled) return;
    const json = JSON.stringify(value);
    const bytes = 2 * (json.length + key.length) + ENTRY_OVERHEAD_BYTES;
    this.delete(key);
    if (bytes > this.options.maxBytes) return;
    this.evictExpired();
    for (const [oldest] of this.entries) {
      if (this.bytesUsed + bytes <= this.options.maxBytes) break;
      this.delete(oldest);
    }
    this.entries.set(key, { json, bytes, expiresAt: this.now() + this.options.ttlMs });
    this.bytesUsed += bytes;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytesUsed -= entry.bytes;
  }

  /**
   * Expired entries at the old end of the recency order. Entries expire in the order they were
   * stored, not used, so a few may wait further in; they cost bytes only until evicted or read.
   */
  private evictExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.delete(key);
    }
  }
}
