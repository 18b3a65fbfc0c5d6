import type { Redis } from '../../stores/redis.js';

interface Waiter {
  readonly minVersion: number;
  readonly wake: () => void;
}

/**
 * Read-your-writes without polling: one subscriber per process listens to the channel on which the
 * detail projector announces `<id> <version>`, and wakes the requests waiting for that product.
 */
export class VersionWaiter {
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => this.announce(message));
    await this.subscriber.subscribe(this.channel);
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

  private announce(message: string): void {
    const [id, version] = message.split(' ');
    if (id === undefined) return;
    for (const waiter of this.waiters.get(id) ?? []) {
      if (Number(version) >= waiter.minVersion) waiter.wake();
    }
  }
}
