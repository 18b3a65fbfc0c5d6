import pg from 'pg';
import type { Logger } from '../../shared/logging/logger.js';
import { pruneOutbox, relayBatch, type RelayMetrics, type RelayOptions } from './relay.js';

export interface RelayLoopOptions extends RelayOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly pollIntervalMs: number;
  readonly retentionHours: number;
  readonly metrics?: RelayMetrics;
  readonly logger: Logger;
}

const MAX_BACKOFF_MS = 15_000;

/**
 * Relays until stopped: a full batch is followed at once by the next; otherwise it waits for a
 * NOTIFY from a committing writer or the poll interval, whichever comes first. Failures (Postgres
 * or Redis away, Redis out of memory) back off exponentially with jitter and retry; the events
 * stay in the outbox meanwhile, so nothing is dropped.
 */
export class RelayLoop {
  private stopped = false;
  private notified = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RelayLoopOptions) {}

  start(): void {
    this.running = this.loop();
    void this.listen();
    this.pruneTimer = setInterval(() => void this.prune(), 60_000);
    this.pruneTimer.unref();
  }

  /** Finishes the batch in flight, then stops listening. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    this.wake?.();
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const { logger, batchSize } = this.options;
    let failures = 0;
    while (!this.stopped) {
      this.notified = false;
      try {
        const relayed = await relayBatch(this.options, this.options.metrics);
        if (failures > 0) logger.info({ failures }, 'relaying again');
        failures = 0;
        if (relayed === batchSize) continue;
      } catch (error) {
        failures += 1;
        const delay = backoff(failures);
        logger.warn(
          { err: error, failures, retryInMs: delay },
          'relay batch failed; events stay in the outbox',
        );
        await this.pause(delay);
        continue;
      }
      if (!this.notified) await this.pause(this.options.pollIntervalMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async listen(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopped) {
      const client = new pg.Client({
        connectionString: this.options.databaseUrl,
        application_name: 'outbox-relay-listener',
      });
      const ended = new Promise<void>((resolve) => {
        client.on('error', (error) => {
          logger.warn({ err: error }, 'outbox listener lost its connection; polling meanwhile');
          resolve();
        });
        client.on('end', () => resolve());
      });
      client.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      try {
        await client.connect();
        await client.query(`LISTEN "${this.options.schema}.outbox"`);
        this.listener = client;
        await ended;
      } catch (error) {
        logger.warn({ err: error }, 'outbox listener could not connect; polling meanwhile');
      }
      await client.end().catch(() => undefined);
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private async prune(): Promise<void> {
    try {
      const pruned = await pruneOutbox(this.options.pool, this.options.retentionHours);
      if (pruned > 0) this.options.logger.info({ pruned }, 'pruned published outbox rows');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'pruning the outbox failed');
    }
  }
}

/** Exponential with full jitter, capped: spreads retries of many relays after an outage. */
export function backoff(failures: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 10));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
