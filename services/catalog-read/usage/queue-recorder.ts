import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Counter, type Registry } from 'prom-client';
import type { UsageBatch, UsageEvent } from '../../../shared/events/usage-events.js';
import type { SearchUsage, UsageRecorder } from './recorder.js';

export interface QueueRecorderOptions {
  readonly queue: Queue<UsageBatch>;
  readonly registry: Registry;
  /** Events per job; this many buffered searches are sent at once. */
  readonly batchSize?: number;
  /** Views are counted per product over this window: a view reaches the queue at most this late. */
  readonly flushEveryMs?: number;
  /**
   * Distinct products counted in one window; when reached, the window's views are sent at once
   * (and counting starts again), so a long window over a large catalog stays small.
   */
  readonly maxWindowProducts?: number;
  /**
   * Beyond this many unsent events (searches, and distinct products viewed: each becomes one
   * event at the flush) a new search or a view of a product not counted yet is dropped and
   * counted as dropped (the queue is away): memory stays bounded. A view of a product already
   * counted only increments its count and is never dropped here.
   */
  readonly maxBuffered?: number;
  /**
   * Beyond this many bytes of events held in this process (buffered or being sent) new ones are
   * dropped: a slow Redis cannot make public traffic grow the heap.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Beyond this many usage jobs waiting in Redis (the analytics projector is away) batches are
   * dropped instead of added: public traffic can never fill the noeviction Redis that also holds
   * the catalog pipeline. At most maxQueuedJobs × one batch's bytes wait there.
   */
  readonly maxQueuedJobs?: number;
  readonly sendTimeoutMs?: number;
}

/** Longest query text kept; the projection keeps 2 KiB of it anyway. */
export const MAX_QUERY_CHARS = 2_048;
/** Filters whose JSON is longer are replaced by a marker: a client cannot make an event large. */
export const MAX_FILTERS_CHARS = 2_048;

/** Bytes a view event (or a product's counter until the flush) holds, close enough for a bound. */
const VIEW_BYTES = 180;

/** Bytes an event holds in memory and in Redis, close enough for a bound (UTF-16 text ×2). */
export function eventBytes(event: UsageEvent): number {
  if (event.kind === 'view') return VIEW_BYTES;
  return 200 + 2 * (event.query.length + JSON.stringify(event.filters).length);
}

/** The usage an event stands for: its views, or one search. */
function usageCount(event: UsageEvent): number {
  return event.kind === 'view' ? (event.views ?? 1) : 1;
}

/** The flush window's time at second resolution, which is what the analytics tables keep. */
function windowTime(ms: number): string {
  return new Date(ms - (ms % 1000)).toISOString();
}

/** The usage a search leaves, cut to the sizes above. */
export function boundedSearch(usage: SearchUsage): SearchUsage {
  const filters =
    JSON.stringify(usage.filters).length > MAX_FILTERS_CHARS ? { truncated: true } : usage.filters;
  return { ...usage, query: usage.query.slice(0, MAX_QUERY_CHARS), filters };
}

/**
 * Buffers usage events in process and sends them in batches through BullMQ. A search only pushes
 * to an array; a view only increments its product's counter, and each window turns the counters
 * into one event per product with its count (the detail route is the hottest read: no id, clock
 * or event per view, and Redis holds one event per product per window instead of one per view).
 * Views are sent when the window ends, not when a batch fills: a full batch sending them early
 * would cut the window short under exactly the load it exists for (one event per view again,
 * and analytics busy with them beside the storefront). Searches are sent on the same timer or
 * as soon as a batch of them is buffered. When Redis is away, sends fail within a deadline and
 * their events are dropped and counted: analytics loses a little, requests never wait.
 */
export class QueueUsageRecorder implements UsageRecorder {
  private buffer: UsageEvent[] = [];
  /** Views per product since the last flush. */
  private views = new Map<string, number>();
  /** Bytes of events buffered or in a send not finished yet. */
  private heldBytes = 0;
  /** Jobs waiting in the usage queue, as last read (at most once a second). */
  private backlog = { jobs: 0, readAt: 0 };
  private readonly timer: NodeJS.Timeout;
  private readonly outcomes: Counter;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: QueueRecorderOptions) {
    this.outcomes = new Counter({
      name: 'aisle_usage_events_total',
      help: 'Storefront usage (searches, product views) by outcome: sent, or dropped (queue unavailable or buffer full).',
      labelNames: ['outcome'] as const,
      registers: [options.registry],
    });
    this.timer = setInterval(() => void this.flush(), options.flushEveryMs ?? 500);
    this.timer.unref();
  }

  recordSearch(usage: SearchUsage): void {
    this.push({
      kind: 'search',
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      ...boundedSearch(usage),
    });
  }

  /** Bytes of usage events this process holds now (buffered and being sent). */
  get bytesHeld(): number {
    return this.heldBytes;
  }

  recordView(productId: string): void {
    const counted = this.views.get(productId);
    if (counted !== undefined) {
      this.views.set(productId, counted + 1);
      return;
    }
    if (!this.admit(VIEW_BYTES)) return;
    this.views.set(productId, 1);
    if (this.views.size >= (this.options.maxWindowProducts ?? 20_000)) void this.flushViews();
  }

  /** Sends what is buffered, views as one event per product; resolves when sent or dropped. */
  flush(): Promise<void> {
    return this.sendAll([...this.takeSearches(), ...this.takeViews()]);
  }

  private flushSearches(): Promise<void> {
    return this.sendAll(this.takeSearches());
  }

  private flushViews(): Promise<void> {
    return this.sendAll(this.takeViews());
  }

  private takeSearches(): UsageEvent[] {
    const events = this.buffer;
    this.buffer = [];
    return events;
  }

  /** The window's views, one event per product, stamped with the window's end. */
  private takeViews(): UsageEvent[] {
    if (this.views.size === 0) return [];
    const occurredAt = windowTime(Date.now());
    const events: UsageEvent[] = [];
    for (const [productId, views] of this.views) {
      events.push({ kind: 'view', eventId: randomUUID(), occurredAt, productId, views });
    }
    this.views = new Map();
    return events;
  }

  /** Sends events in jobs of batchSize, after what is being sent; resolves when all are done. */
  private sendAll(events: UsageEvent[]): Promise<void> {
    const size = this.options.batchSize ?? 500;
    for (let start = 0; start < events.length; start += size) {
      const batch = events.slice(start, start + size);
      this.sending = this.sending.then(() => this.send(batch));
    }
    return this.sending;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private push(event: UsageEvent): void {
    if (!this.admit(eventBytes(event))) return;
    this.buffer.push(event);
    if (this.buffer.length >= (this.options.batchSize ?? 500)) void this.flushSearches();
  }

  /** Whether one more event of these bytes fits the bounds; if not it is dropped and counted. */
  private admit(bytes: number): boolean {
    if (
      this.buffer.length + this.views.size >= (this.options.maxBuffered ?? 50_000) ||
      this.heldBytes + bytes > (this.options.maxBufferedBytes ?? 8 * 1024 * 1024)
    ) {
      this.outcomes.inc({ outcome: 'dropped' });
      return false;
    }
    this.heldBytes += bytes;
    return true;
  }

  private async send(events: UsageEvent[]): Promise<void> {
    const bytes = events.reduce((sum, e) => sum + eventBytes(e), 0);
    const usage = events.reduce((sum, e) => sum + usageCount(e), 0);
    try {
      if (await this.queueIsFull()) {
        this.outcomes.inc({ outcome: 'dropped' }, usage);
        return;
      }
      await this.add(events, usage);
    } finally {
      this.heldBytes -= bytes;
    }
  }

  /** The backlog in Redis, read at most once a second; unknown (Redis away) counts as not full. */
  private async queueIsFull(): Promise<boolean> {
    const now = Date.now();
    if (now - this.backlog.readAt >= 1_000) {
      this.backlog.readAt = now;
      const counts = await withDeadline(
        this.options.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'paused'),
        this.options.sendTimeoutMs ?? 2000,
      ).catch(() => undefined);
      if (counts !== undefined) {
        this.backlog.jobs = Object.values(counts).reduce((sum, n) => sum + n, 0);
      }
    }
    return this.backlog.jobs >= (this.options.maxQueuedJobs ?? 2_000);
  }

  private async add(events: UsageEvent[], usage: number): Promise<void> {
    const add = this.options.queue.add(
      'usage',
      { events },
      {
        jobId: (events[0] as UsageEvent).eventId,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        // Failed usage jobs are kept briefly and few: they sit in the pipeline's Redis.
        removeOnFail: { count: 100, age: 24 * 3600 },
      },
    );
    try {
      await withDeadline(add, this.options.sendTimeoutMs ?? 2000);
      this.backlog.jobs += 1; // counted until the next read, so the bound holds between reads
      this.outcomes.inc({ outcome: 'sent' }, usage);
    } catch {
      this.outcomes.inc({ outcome: 'dropped' }, usage);
    }
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
