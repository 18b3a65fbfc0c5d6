import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Counter, type Registry } from 'prom-client';
import type { UsageBatch, UsageEvent } from '../../../shared/events/usage-events.js';
import type { SearchUsage, UsageRecorder } from './recorder.js';

export interface QueueRecorderOptions {
  readonly queue: Queue<UsageBatch>;
  readonly registry: Registry;
  /** Events per job; a full buffer is sent at once. */
  readonly batchSize?: number;
  readonly flushEveryMs?: number;
  /** Beyond this many unsent events new ones are dropped (the queue is away): memory stays bounded. */
  readonly maxBuffered?: number;
  readonly sendTimeoutMs?: number;
}

/**
 * Buffers usage events in process and sends them in batches through BullMQ. A request only
 * pushes to an array; sending happens on a timer. When Redis is away, sends fail within a
 * deadline and their events are dropped and counted: analytics loses a little, requests never wait.
 */
export class QueueUsageRecorder implements UsageRecorder {
  private buffer: UsageEvent[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly outcomes: Counter;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: QueueRecorderOptions) {
    this.outcomes = new Counter({
      name: 'aisle_usage_events_total',
      help: 'Storefront usage events by outcome: sent, or dropped (queue unavailable or buffer full).',
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
      ...usage,
    });
  }

  recordView(productId: string): void {
    this.push({
      kind: 'view',
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      productId,
    });
  }

  /** Sends what is buffered; resolves when it was sent or dropped. */
  flush(): Promise<void> {
    const events = this.buffer;
    this.buffer = [];
    if (events.length === 0) return this.sending;
    this.sending = this.sending.then(() => this.send(events));
    return this.sending;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private push(event: UsageEvent): void {
    if (this.buffer.length >= (this.options.maxBuffered ?? 50_000)) {
      this.outcomes.inc({ outcome: 'dropped' });
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length >= (this.options.batchSize ?? 500)) void this.flush();
  }

  private async send(events: UsageEvent[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('usage queue did not answer')),
        this.options.sendTimeoutMs ?? 2000,
      );
    });
    const add = this.options.queue.add(
      'usage',
      { events },
      {
        jobId: (events[0] as UsageEvent).eventId,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
    add.catch(() => undefined);
    try {
      await Promise.race([add, deadline]);
      this.outcomes.inc({ outcome: 'sent' }, events.length);
    } catch {
      this.outcomes.inc({ outcome: 'dropped' }, events.length);
    } finally {
      clearTimeout(timer);
    }
  }
}
