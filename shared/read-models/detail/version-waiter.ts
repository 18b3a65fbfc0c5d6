import type { Redis } from '../../stores/redis.js';
import type { AnnouncementListener, AnnouncementSource } from './cache.js';

interface Waiter {
  readonly minVersion: number;
  readonly wake: () => void;
}

export interface VersionChannelOptions {
  /**
   * How often the subscription is checked with a PING; no answer within twice this counts as
   * down (twice: a busy event loop must not pass for a silent connection).
   */
  readonly heartbeatMs?: number;
  /**
   * Longest `start` waits for the first subscription (default 2 s). A Redis that is away must
   * not hold a service's start: until the subscription is confirmed, listeners are simply not
   * told `restored` (the detail cache is bypassed), and the next 'ready' confirms it.
   */
  readonly startWaitMs?: number;
}

/**
 * The one subscription per process to the channel on which the detail projector announces
 * `<id> <version>`. It tells its listeners every announcement, and when the subscription goes
 * down (connection closed, or a PING unanswered: announcements may be missed) and when it is
 * confirmed again (a SUBSCRIBE answered after the reconnection).
 */
export class VersionChannel implements AnnouncementSource {
  private readonly listeners: AnnouncementListener[] = [];
  private live = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly options: VersionChannelOptions = {},
  ) {}

  listen(listener: AnnouncementListener): void {
    this.listeners.push(listener);
    if (this.live) listener.restored();
  }

  /** Subscribes; resolves once the first subscription is confirmed, or after `startWaitMs`. */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.announce(message);
    });
    this.subscriber.on('close', () => this.markLost());
    // 'end': closed for good (the app closes), no reconnection follows.
    this.subscriber.on('end', () => this.stop());
    this.subscriber.on('ready', () => void this.confirm());
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      this.confirm(),
      new Promise<void>((resolve) => {
        waited = setTimeout(resolve, this.options.startWaitMs ?? 2000);
      }),
    ]);
    clearTimeout(waited);
    const every = this.options.heartbeatMs ?? 1000;
    this.heartbeat = setInterval(() => void this.check(2 * every), every);
    this.heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.markLost();
  }

  /** SUBSCRIBE again (idempotent): its answer proves that announcements flow from here on. */
  private async confirm(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch {
      return; // the connection went again; the next 'ready' confirms
    }
    if (this.live || this.subscriber.status !== 'ready') return;
    this.live = true;
    for (const listener of this.listeners) listener.restored();
  }

  /** A connection that is silently gone (no FIN) would otherwise look live. */
  private async check(timeoutMs: number): Promise<void> {
    if (!this.live || this.checking) return;
    this.checking = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const answer = await Promise.race([this.subscriber.ping().catch(() => 'failed'), timedOut]);
      if (answer === 'timeout' || answer === 'failed') {
        this.markLost();
        // Drop the connection: ioredis reconnects and resubscribes, and 'ready' confirms it.
        this.subscriber.disconnect(true);
      }
    } finally {
      clearTimeout(timer);
      this.checking = false;
    }
  }

  private markLost(): void {
    if (!this.live) return;
    this.live = false;
    for (const listener of this.listeners) listener.lost();
  }

  private announce(message: string): void {
    const space = message.indexOf(' ');
    if (space <= 0) return;
    const id = message.slice(0, space);
    const version = Number(message.slice(space + 1));
    if (!Number.isFinite(version)) return;
    for (const listener of this.listeners) listener.announced(id, version);
  }
}

/**
 * Read-your-writes without polling: requests waiting for a product's version are woken by its
 * announcement (and all of them when the subscription comes back, since announcements may have
 * been missed while it was down).
 */
export class VersionWaiter implements AnnouncementListener {
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(source: AnnouncementSource) {
    source.listen(this);
  }

  /**
   * Resolves true once `read()` reports at least `minVersion`, false when the deadline passes.
   * The waiter is registered before the first read, so an announcement in between is not missed.
   */
  async waitFor(
    id: string,
    minVersion: number,
    timeoutMs: number,
    read: () => Promise<number>,
  ): Promise<boolean> {
    let wake: () => void = () => undefined;
    let woken = new Promise<void>((resolve) => (wake = resolve));
    const waiter: Waiter = { minVersion, wake: () => wake() };
    const set = this.waiters.get(id) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiters.set(id, set);
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if ((await read()) >= minVersion) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          woken,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, left))),
        ]);
        clearTimeout(timer);
        woken = new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      set.delete(waiter);
      if (set.size === 0) this.waiters.delete(id);
    }
  }

  announced(id: string, version: number): void {
    for (const waiter of this.waiters.get(id) ?? []) {
      if (version >= waiter.minVersion) waiter.wake();
    }
  }

  lost(): void {
    // Waiters keep their deadline; the reconnection wakes them to read again.
  }

  restored(): void {
    for (const set of this.waiters.values()) for (const waiter of set) waiter.wake();
  }
}
