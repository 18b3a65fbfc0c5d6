import { performance } from 'node:perf_hooks';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import { closeRedis, createRedis } from '../../shared/stores/redis.js';
import type { SearchEngine } from '../../shared/stores/search/engine.js';
import type { LagTracker, ReadModel } from './lag-tracker.js';
import { summarize, type LatencySummary } from './stats.js';

export interface Seen {
  readonly id: string;
  readonly version: number;
}

export interface SamplerStats {
  readonly model: ReadModel;
  readonly periodMs: number;
  /** Queries that ran (one per period with something pending; larger sets are split). */
  readonly samples: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  /** Time one sample took, from sending to having the answer. */
  readonly queryMs: LatencySummary;
  /**
   * For consecutive samples, from the previous sample's start to this one's answer: a change
   * first seen by this sample became visible somewhere in that window, so this is how much an
   * observation can overstate the lag.
   */
  readonly windowMs: LatencySummary;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A ClickHouse string literal: backslashes and quotes escaped. The only way a value enters SQL. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function uuidLiteral(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a UUID: ${JSON.stringify(id)}`);
  return sqlString(id.toLowerCase());
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Polls one read model for the products that have a change it does not show yet, every
 * `periodMs` (or back to back when a sample takes longer), and reports what it sees to the
 * tracker with the time the answer arrived.
 */
export class Sampler {
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private samples = 0;
  private errors = 0;
  private firstError: string | undefined;
  private readonly queryTimes: number[] = [];
  private readonly windows: number[] = [];

  constructor(
    private readonly model: ReadModel,
    private readonly periodMs: number,
    private readonly tracker: LagTracker,
    private readonly probe: (ids: readonly string[]) => Promise<Seen[]>,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  stats(): SamplerStats {
    return {
      model: this.model,
      periodMs: this.periodMs,
      samples: this.samples,
      errors: this.errors,
      firstError: this.firstError,
      queryMs: summarize(this.queryTimes),
      windowMs: summarize(this.windows),
    };
  }

  private async loop(): Promise<void> {
    let previousStart: number | undefined;
    while (!this.stopped) {
      const startedAt = performance.now();
      const ids = this.tracker.pendingProducts(this.model);
      if (ids.length === 0) {
        previousStart = undefined;
      } else {
        try {
          const seen = await this.probe(ids);
          const at = performance.now();
          for (const s of seen) this.tracker.observe(this.model, s.id, s.version, at);
          this.samples += 1;
          this.queryTimes.push(at - startedAt);
          if (previousStart !== undefined) this.windows.push(at - previousStart);
          previousStart = startedAt;
        } catch (error) {
          this.errors += 1;
          this.firstError ??= error instanceof Error ? error.message : String(error);
          previousStart = undefined;
        }
      }
      const wait = startedAt + this.periodMs - performance.now();
      if (wait > 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}

/**
 * Search: a real _search (so only refreshed, i.e. searchable, documents count, unlike a GET by
 * id) for the pending products, returning their current version. Storefront searches filter on
 * `visible`, so this does too.
 */
export function searchProbe(engine: SearchEngine, alias: string) {
  return async (ids: readonly string[]): Promise<Seen[]> => {
    const seen: Seen[] = [];
    for (const part of chunks(ids, 1000)) {
      const answer = await engine.search(alias, {
        size: part.length,
        track_total_hits: false,
        _source: ['id', 'version'],
        query: { bool: { filter: [{ terms: { id: part } }, { term: { visible: true } }] } },
      });
      for (const hit of answer.hits.hits) {
        const id = hit._source?.id;
        const version = hit._source?.version;
        if (typeof id === 'string' && typeof version === 'number') seen.push({ id, version });
      }
    }
    return seen;
  };
}

/** Analytics: the highest version ClickHouse holds per pending product (inserts are visible at once). */
export function analyticsProbe(clickhouse: ClickHouseClient) {
  return async (ids: readonly string[]): Promise<Seen[]> => {
    const seen: Seen[] = [];
    for (const part of chunks(ids, 500)) {
      const result = await clickhouse.query({
        query:
          'SELECT toString(product_id) AS id, max(version) AS version FROM catalog_events ' +
          `WHERE product_id IN (${part.map(uuidLiteral).join(', ')}) GROUP BY product_id`,
        format: 'JSONEachRow',
      });
      // UInt64 comes back as a string in JSON.
      for (const row of await result.json<{ id: string; version: string | number }>()) {
        seen.push({ id: row.id, version: Number(row.version) });
      }
    }
    return seen;
  };
}

/**
 * Detail: the projector PUBLISHes `<productId> <version>` after each change it writes; a
 * dedicated subscriber connection records when each arrives. Push, so no sampling delay.
 */
export async function subscribeDetail(
  redisUrl: string,
  channel: string,
  tracker: LagTracker,
): Promise<{ messages: () => number; malformed: () => number; close: () => Promise<void> }> {
  const subscriber = createRedis(redisUrl, 'blocking');
  subscriber.on('error', () => undefined);
  let messages = 0;
  let malformed = 0;
  subscriber.on('message', (from: string, message: string) => {
    const at = performance.now();
    if (from !== channel) return;
    messages += 1;
    const [id, raw] = message.split(' ');
    const version = Number(raw);
    if (id === undefined || !Number.isInteger(version)) {
      malformed += 1;
      return;
    }
    tracker.observe('detail', id, version, at);
  });
  await subscriber.subscribe(channel);
  return {
    messages: () => messages,
    malformed: () => malformed,
    close: () => closeRedis(subscriber),
  };
}
