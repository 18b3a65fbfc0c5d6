import { Problem } from '../../../shared/http/problems.js';

/**
 * Which waiting engine request goes first. A follow-up is the second request of a search already
 * under way (the typo fallback after the exact query, the exact facet recount, the reduced retry):
 * its search has waited its turn once, and a second wait in line is what put those searches in
 * the tail under load (bench/README, `bench:engine-gate`).
 */
export type EnginePriority = 'first' | 'follow-up';

export interface EngineGateOptions {
  /** Engine requests in flight at once; 0: no bound (every request goes straight through). */
  readonly limit: number;
  /** Longest wait for a turn; past it the search is refused (503, Retry-After). */
  readonly maxWaitMs: number;
  /** Called when a request starts, with how long it waited (metrics). */
  readonly onStart?: (priority: EnginePriority, waitedMs: number) => void;
  /** Called when a request gives up waiting (metrics). */
  readonly onTimeout?: (priority: EnginePriority) => void;
  /** The clock waits are measured with, in ms (tests). */
  readonly now?: () => number;
}

interface Waiter {
  readonly priority: EnginePriority;
  readonly since: number;
  readonly start: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Bounds the engine requests this process has in flight, so that the requests waiting wait here,
 * in order (follow-ups first, then by arrival), rather than in the engine's own queue, where a
 * search's second request would wait behind every search that arrived after its first.
 */
export class EngineGate {
  private inFlight = 0;
  /** Waiters by priority, each oldest first. */
  private readonly lines: Record<EnginePriority, Waiter[]> = { 'follow-up': [], first: [] };

  constructor(private readonly options: EngineGateOptions) {}

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  /** Requests waiting for a turn now. */
  get waiting(): number {
    return this.lines['follow-up'].length + this.lines.first.length;
  }

  /** Runs `work` when a turn is free; the turn is held until its promise settles. */
  async run<T>(priority: EnginePriority, work: () => Promise<T>): Promise<T> {
    if (this.options.limit === 0) return work();
    await this.turn(priority);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private turn(priority: EnginePriority): Promise<void> {
    if (this.inFlight < this.options.limit && this.waiting === 0) {
      this.inFlight += 1;
      this.options.onStart?.(priority, 0);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const line = this.lines[priority];
      const waiter: Waiter = {
        priority,
        since: this.now(),
        start: resolve,
        timer: setTimeout(() => {
          line.splice(line.indexOf(waiter), 1);
          this.options.onTimeout?.(priority);
          reject(
            new Problem('unavailable', 'search is busy; try again', undefined, {
              'retry-after': '1',
            }),
          );
        }, this.options.maxWaitMs),
      };
      line.push(waiter);
    });
  }

  /** Hands the freed turn to the next waiter, follow-ups first. */
  private release(): void {
    const next = this.lines['follow-up'].shift() ?? this.lines.first.shift();
    if (next === undefined) {
      this.inFlight -= 1;
      return;
    }
    clearTimeout(next.timer);
    this.options.onStart?.(next.priority, this.now() - next.since);
    next.start();
  }
}
