/**
 * This instance's view of the per-client rate-limit counters, kept in memory so that a request's
 * decision needs no Redis call. Each key (budget and client) has one window at a time; its count
 * is what Redis said at the last sync plus what this instance admitted since. A background sync
 * (counter-store.ts) takes the unsent counts, adds them to Redis, and gives back the global count
 * and the window's remaining time, which every instance then shares.
 *
 * Pure: no I/O and no clock of its own (every call gets `now` in ms), so the window, eviction and
 * decision rules are unit-tested as they are.
 */

/** One key's window as this instance knows it. Replaced, not reset, when a window ends. */
interface Window {
  readonly key: string;
  /** When the window ends (ms); Redis's end once a sync has answered for it. */
  endsAt: number;
  /** The global count Redis gave at the last sync of this window (every instance's requests). */
  synced: number;
  /** Requests whose sync failed: Redis never got them, this instance still counts them. */
  localOnly: number;
  /** Requests sent with the sync that is under way. */
  inFlight: number;
  /** Requests admitted or refused since the last sync was sent. */
  unsent: number;
}

export interface CountResult {
  /** This request included; over the budget's max means refused. */
  readonly current: number;
  /** Until the window ends (ms), at least 1. */
  readonly ttl: number;
}

/** The unsent count of one key, taken for a sync. */
export interface SyncItem {
  readonly key: string;
  readonly increment: number;
  /** What is left of the window as this instance knows it: the expiry of a key Redis creates. */
  readonly ttl: number;
  /** The window it belongs to, so a reply never lands on the next window of the same key. */
  readonly window: Window;
}

/** Redis's answer for one SyncItem: the key's global count after the increment, its time left. */
export interface SyncReply {
  readonly count: number;
  readonly ttl: number;
}

export interface LocalCountersOptions {
  /** Most keys kept; past it the key whose window began first is dropped. */
  readonly maxKeys: number;
}

export class LocalCounters {
  // Insertion order is the order in which windows began (a new window re-inserts its key), so
  // the first entries are the windows that end first: sweeping and eviction start there.
  private readonly windows = new Map<string, Window>();
  /** Windows with unsent requests: a sync visits these, not every key. */
  private readonly dirty = new Set<Window>();
  /** Unsent counts of evicted windows, sent with the next sync. */
  private evicted: Window[] = [];

  constructor(private readonly options: LocalCountersOptions) {}

  get size(): number {
    return this.windows.size;
  }

  /** Counts one request for `key` and says where the key's window stands. */
  count(key: string, windowMs: number, now: number): CountResult {
    let window = this.windows.get(key);
    if (window === undefined || now >= window.endsAt) {
      if (window !== undefined) this.forget(window);
      window = { key, endsAt: now + windowMs, synced: 0, localOnly: 0, inFlight: 0, unsent: 0 };
      this.windows.set(key, window);
      this.evictOverCap();
    }
    window.unsent += 1;
    this.dirty.add(window);
    const current = window.synced + window.localOnly + window.inFlight + window.unsent;
    return { current, ttl: Math.max(1, window.endsAt - now) };
  }

  /**
   * Takes every unsent count of a live window for a sync (they are in flight until the reply or
   * the failure is applied); counts of windows that ended meanwhile are dropped, as Redis's key
   * has expired with them.
   */
  takeUnsent(now: number): SyncItem[] {
    const items: SyncItem[] = [];
    for (const window of [...this.evicted, ...this.dirty]) {
      if (window.endsAt > now && window.unsent > 0) {
        items.push({ key: window.key, increment: window.unsent, ttl: window.endsAt - now, window });
        window.inFlight += window.unsent;
      }
      window.unsent = 0;
    }
    this.evicted = [];
    this.dirty.clear();
    return items;
  }

  /** Redis took the increment: the window now shares Redis's count and end. */
  applyReply(item: SyncItem, reply: SyncReply, now: number): void {
    const { window } = item;
    window.inFlight -= item.increment;
    window.synced = reply.count;
    // Redis's end, seen after the reply travelled: never earlier than Redis's own expiry, so a
    // new local window never lands on the key of the window before.
    window.endsAt = now + Math.max(1, reply.ttl);
  }

  /**
   * The sync did not reach Redis (or its answer was lost): other instances never see these
   * requests, but this one keeps counting them until the window ends.
   */
  applyFailure(item: SyncItem): void {
    item.window.inFlight -= item.increment;
    item.window.localOnly += item.increment;
  }

  /** Drops windows that ended and have nothing left to send, oldest first. */
  sweep(now: number): void {
    for (const window of this.windows.values()) {
      if (window.endsAt > now) return;
      if (window.unsent > 0 || window.inFlight > 0) return;
      this.forget(window);
    }
  }

  private evictOverCap(): void {
    while (this.windows.size > this.options.maxKeys) {
      const oldest = this.windows.values().next().value;
      if (oldest === undefined) return;
      this.forget(oldest);
      if (oldest.unsent > 0) this.evicted.push(oldest);
    }
  }

  private forget(window: Window): void {
    this.windows.delete(window.key);
    this.dirty.delete(window);
  }
}
