/**
 * Commit → visible lag of the mixed scenario's writes, the I/O part: one poll loop per read model
 * reads the stores directly (never through catalog-read, so the probe is not storefront traffic
 * and does not touch catalog-read's caches), for the products with a write it does not show yet.
 *
 * - detail: one Redis pipeline of HGET <prefix>:detail:product:<id> version per poll. catalog-read
 *   serves that hash (its in-process cache follows the projector's announcements), so the version
 *   there is the one GET /v1/products/:id answers.
 * - search: one _search per poll, terms on the pending ids and visible=true, as storefront
 *   searches filter. A search, not an mget: a realtime get would also return documents indexed
 *   but not yet refreshed, which no storefront search can find yet (and it makes the engine
 *   refresh its internal reader), so it would report "indexed", not "searchable".
 */
import { performance } from 'node:perf_hooks';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import { closeRedis, createRedis, type Redis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { searchProbe, type Seen } from './observers.js';
import type { Pipeline } from './pipeline.js';
import {
  VisibilityTracker,
  visibilityModels,
  type Acknowledgement,
  type VisibilityModel,
  type VisibilitySummary,
} from './read-visibility.js';
import { summarize, type LatencySummary } from './stats.js';

/**
 * Detail changes land in Redis within milliseconds, so it is polled often; a search document
 * becomes searchable only at an index refresh (every 500 ms), so polling it faster than 100 ms
 * would add engine requests without resolving the lag any better.
 */
export const POLL_MS: Record<VisibilityModel, number> = { detail: 50, search: 100 };
/** A write not visible this long after its acknowledgement counts as never seen. */
export const DEADLINE_MS = 20_000;
/** At most this many writes followed at once: bounds each poll's size (the probe's own load). */
export const MAX_OUTSTANDING = 500;

export interface PollStats {
  readonly periodMs: number;
  /** Polls that ran (one per period while something was pending). */
  readonly polls: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  /** Products asked per poll. */
  readonly productsPerPoll: LatencySummary;
  /** From sending a poll to having its answer. */
  readonly queryMs: LatencySummary;
}

export interface VisibilityReport extends VisibilitySummary {
  readonly how: Record<VisibilityModel, string>;
  readonly polls: Record<VisibilityModel, PollStats>;
  /** From the end of the writes to the last write seen or past its deadline. */
  readonly drainMs: number;
}

type Probe = (ids: readonly string[]) => Promise<Seen[]>;

/** Detail: the version field of each pending product's hash, in one pipeline. */
function detailProbe(redis: Redis, prefix: string): Probe {
  return async (ids) => {
    const batch = redis.pipeline();
    for (const id of ids) batch.hget(detailKeys.product(prefix, id), 'version');
    const replies = (await batch.exec()) ?? [];
    const seen: Seen[] = [];
    ids.forEach((id, i) => {
      const [error, value] = replies[i] ?? [];
      if (error) throw error;
      const version = Number(value);
      if (typeof value === 'string' && Number.isInteger(version)) seen.push({ id, version });
    });
    return seen;
  };
}

class PollLoop {
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private polls = 0;
  private errors = 0;
  private firstError: string | undefined;
  private readonly sizes: number[] = [];
  private readonly queryTimes: number[] = [];

  constructor(
    private readonly model: VisibilityModel,
    private readonly periodMs: number,
    private readonly tracker: VisibilityTracker,
    private readonly probe: Probe,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  stats(): PollStats {
    return {
      periodMs: this.periodMs,
      polls: this.polls,
      errors: this.errors,
      firstError: this.firstError,
      productsPerPoll: summarize(this.sizes),
      queryMs: summarize(this.queryTimes),
    };
  }

  private async loop(): Promise<void> {
    // The start of the last poll that answered: it asked for every product then pending, so what
    // it did not show became visible after it started.
    let previousStart: number | undefined;
    while (!this.stopped) {
      const startedAt = performance.now();
      this.tracker.expire(startedAt);
      const ids = this.tracker.pending(this.model);
      if (ids.length === 0) {
        previousStart = undefined;
      } else {
        try {
          const seen = await this.probe(ids);
          const at = performance.now();
          for (const s of seen) {
            this.tracker.observe(this.model, s.id, s.version, at, previousStart);
          }
          this.polls += 1;
          this.sizes.push(ids.length);
          this.queryTimes.push(at - startedAt);
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

/** Follows the acknowledged writes until each read model shows them or their deadline passes. */
export class VisibilityProbe {
  private readonly tracker = new VisibilityTracker(DEADLINE_MS, MAX_OUTSTANDING);
  private readonly redis: Redis;
  private readonly search: ReturnType<typeof openSearch>;
  private readonly loops: Record<VisibilityModel, PollLoop>;

  constructor(pipeline: Pipeline) {
    const { config } = pipeline;
    this.redis = createRedis(config.redisUrl, 'command');
    // ioredis reconnects by itself; a failed poll is counted in the stats instead.
    this.redis.on('error', () => undefined);
    this.search = openSearch(config);
    this.loops = {
      detail: new PollLoop(
        'detail',
        POLL_MS.detail,
        this.tracker,
        detailProbe(this.redis, config.redisKeyPrefix),
      ),
      search: new PollLoop(
        'search',
        POLL_MS.search,
        this.tracker,
        searchProbe(this.search.client, pipeline.alias),
      ),
    };
  }

  start(): void {
    for (const model of visibilityModels) this.loops[model].start();
  }

  /** A measured write's 2xx answer: its version and when the answer arrived. */
  acknowledge(ack: Acknowledgement): void {
    this.tracker.acknowledge(ack);
  }

  /**
   * Called once no more writes come: polls on until every write is seen or past its deadline
   * (bounded by DEADLINE_MS after the last acknowledgement), or the run is interrupted; then
   * stops and closes its connections.
   */
  async finish(signal: AbortSignal): Promise<VisibilityReport> {
    const started = performance.now();
    try {
      while (!signal.aborted) {
        this.tracker.expire(performance.now());
        if (this.tracker.outstandingCount() === 0) break;
        const last = this.tracker.lastDeadline() ?? performance.now();
        // The poll loops expire and observe; this only wakes up to check, at most every 50 ms.
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(1, Math.min(50, last - performance.now()))),
        );
      }
    } finally {
      await Promise.all(visibilityModels.map((m) => this.loops[m].stop()));
      await Promise.allSettled([closeRedis(this.redis), this.search.close()]);
    }
    return {
      ...this.tracker.summary(),
      how: {
        detail: `Redis HGET of the detail hash's version, one pipeline every ${POLL_MS.detail} ms`,
        search: `_search (terms on the ids, visible=true) every ${POLL_MS.search} ms`,
      },
      polls: { detail: this.loops.detail.stats(), search: this.loops.search.stats() },
      drainMs: performance.now() - started,
    };
  }
}
