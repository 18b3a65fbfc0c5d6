/**
 * The measured part of bench:lag: create and settle the product pool, send commands at a steady
 * open-loop rate while the observers watch each read model, then drain until every change is
 * seen (or the deadline passes). Everything the report needs ends up in one Measurement.
 */
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import { clickhouseFromConfig } from '../../shared/stores/open.js';
import { openSearch } from '../../shared/stores/search/open.js';
import type { LagOptions } from './lag-options.js';
import {
  LagTracker,
  readModels,
  type LagSummary,
  type ReadModel,
  type TimelineSlice,
} from './lag-tracker.js';
import {
  analyticsProbe,
  Sampler,
  searchProbe,
  subscribeDetail,
  type SamplerStats,
} from './observers.js';
import {
  commandMix,
  createPool,
  runOpenLoop,
  type LiveCounts,
  type OpenLoopResult,
} from './open-loop.js';
import type { Pipeline } from './pipeline.js';
import { cpuSnapshot, cpuUse, type CpuSnapshot, type CpuUse } from './proc-cpu.js';
import {
  bucketDelta,
  projectionLagBuckets,
  type BucketSummary,
  type Buckets,
} from './service-metrics.js';

/** Longest wait for the freshly created pool to reach every read model before the load. */
const SETTLE_TIMEOUT_MS = 120_000;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** One progress line per second: a rewritten line on a terminal, a new line otherwise. */
function progress(
  phase: () => string,
  live: LiveCounts,
  tracker: LagTracker,
  started: number,
): () => void {
  const tty = process.stderr.isTTY;
  const line = () =>
    `[lag] ${phase()} ${seconds(performance.now() - started)}  sent ${live.sent}  ` +
    `answered ${live.answered} (${live.errors} err, ${live.late} late, ${live.inFlight} in flight)  ` +
    `pending: ${readModels.map((m) => `${m} ${tracker.pendingCount(m)}`).join('  ')}`;
  const timer = setInterval(
    () => process.stderr.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`),
    1000,
  );
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write(tty ? `\r\x1b[2K${line()}\n` : `${line()}\n`);
  };
}

async function waitAllSeen(
  tracker: LagTracker,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!tracker.allSeen()) {
    if (signal.aborted || performance.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

export interface Measurement {
  write: OpenLoopResult | undefined;
  lag: Record<ReadModel, LagSummary> | undefined;
  poolSettle: Record<string, unknown> | undefined;
  samplers: SamplerStats[];
  detailMessages: number;
  detailMalformed: number;
  unknownProducts: number;
  drainMs: number | undefined;
  allSeen: boolean;
  benchEventLoopDelayMs: { p50: number; p99: number; max: number } | undefined;
  /** CPU during the sending window (Linux only). */
  cpu: CpuUse | undefined;
  /** Each projector's own commit → applied histogram over the measured window and the drain. */
  projectorApplied: Partial<Record<ReadModel, BucketSummary>>;
  loadAverageAfter: number[];
  /** Lag per 5 s of commit time, per read model. */
  timeline: Partial<Record<ReadModel, TimelineSlice[]>>;
}

/** Width of one slice of the lag timeline, in commit time. */
export const SLICE_MS = 5000;

const projectorOf = {
  search: 'projector-search',
  detail: 'projector-detail',
  analytics: 'projector-analytics',
} as const;

async function projectorBuckets(pipeline: Pipeline): Promise<Partial<Record<ReadModel, Buckets>>> {
  const out: Partial<Record<ReadModel, Buckets>> = {};
  await Promise.all(
    readModels.map(async (model) => {
      const page = await pipeline.metrics(projectorOf[model]).catch(() => undefined);
      if (page !== undefined) out[model] = projectionLagBuckets(page, model);
    }),
  );
  return out;
}

/** Pool, settle, load, drain; the observers are closed and counted whatever happens. */
export async function measure(
  pipeline: Pipeline,
  options: LagOptions,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Measurement> {
  const { config } = pipeline;
  const tracker = new LagTracker();
  const result: Measurement = {
    write: undefined,
    lag: undefined,
    poolSettle: undefined,
    samplers: [],
    detailMessages: 0,
    detailMalformed: 0,
    unknownProducts: 0,
    drainMs: undefined,
    allSeen: false,
    benchEventLoopDelayMs: undefined,
    cpu: undefined,
    projectorApplied: {},
    loadAverageAfter: [],
    timeline: {},
  };
  const detail = await subscribeDetail(
    config.redisUrl,
    detailKeys.versions(config.redisKeyPrefix),
    tracker,
  );
  const search = openSearch(config);
  const clickhouse = clickhouseFromConfig(config);
  const samplers = [
    new Sampler(
      'search',
      options.searchSampleMs,
      tracker,
      searchProbe(search.client, pipeline.alias),
    ),
    new Sampler('analytics', options.analyticsSampleMs, tracker, analyticsProbe(clickhouse.client)),
  ];
  for (const s of samplers) s.start();
  const live: LiveCounts = { sent: 0, answered: 0, ok: 0, errors: 0, late: 0, inFlight: 0 };
  let phase = 'pool';
  const finish = progress(() => phase, live, tracker, performance.now());
  try {
    // The pool: created, published, and in every read model before the load starts.
    const poolStarted = performance.now();
    const pool = await createPool(pipeline.writeOrigin, pipeline.token, options.poolSize, tracker);
    const created = performance.now();
    log(`created and published ${pool.length} products in ${seconds(created - poolStarted)}`);
    phase = 'settle';
    const settled = await waitAllSeen(tracker, SETTLE_TIMEOUT_MS, signal);
    const isCreate = (c: { kind: string }) => c.kind === 'create';
    result.poolSettle = {
      products: pool.length,
      createMs: created - poolStarted,
      settledMs: performance.now() - created,
      settled,
      // Lag under a burst of 16 concurrent creates, not the steady-rate figure.
      lag: Object.fromEntries(readModels.map((m) => [m, tracker.summary(m, isCreate)])),
    };
    if (!settled) {
      throw new Error(
        signal.aborted
          ? 'interrupted while the pool settled'
          : `the pool did not reach every read model within ${SETTLE_TIMEOUT_MS / 1000} s ` +
              `(pending: ${readModels.map((m) => `${m} ${tracker.pendingCount(m)}`).join(', ')})`,
      );
    }
    log(
      `pool visible in every read model ${seconds(performance.now() - created)} after the last create`,
    );

    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    const pids = [process.pid, ...pipeline.services.flatMap((s) => s.child.pid ?? [])];
    let cpuBefore: CpuSnapshot | undefined;
    let bucketsBefore: Promise<Partial<Record<ReadModel, Buckets>>> | undefined;
    let measureStart: number | undefined;
    phase = options.warmupMs > 0 ? 'warm-up' : 'load';
    result.write = await runOpenLoop({
      origin: pipeline.writeOrigin,
      token: pipeline.token,
      rate: options.rate,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      next: commandMix(pool),
      tracker,
      live,
      onMeasureStart: () => {
        phase = 'load';
        loopDelay.enable();
        measureStart = performance.now();
        cpuBefore = cpuSnapshot(pids);
        bucketsBefore = projectorBuckets(pipeline);
      },
      signal,
    });
    loopDelay.disable();
    result.loadAverageAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
    if (cpuBefore !== undefined || bucketsBefore !== undefined) {
      // The measured window started (not interrupted during the warm-up).
      result.cpu = cpuUse(cpuBefore, cpuSnapshot(pids));
      result.benchEventLoopDelayMs = {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      };
    }
    phase = 'drain';
    const drainStarted = performance.now();
    result.allSeen = await waitAllSeen(tracker, options.deadlineMs, signal);
    result.drainMs = performance.now() - drainStarted;
    if (measureStart !== undefined) {
      for (const model of readModels) {
        result.timeline[model] = tracker.timeline(model, measureStart, SLICE_MS);
      }
    }
    const [before, after] = await Promise.all([bucketsBefore, projectorBuckets(pipeline)]);
    for (const model of readModels) {
      const b = before?.[model];
      const a = after[model];
      if (b !== undefined && a !== undefined) result.projectorApplied[model] = bucketDelta(b, a);
    }
  } finally {
    finish();
    for (const s of samplers) await s.stop();
    result.samplers = samplers.map((s) => s.stats());
    result.detailMessages = detail.messages();
    result.detailMalformed = detail.malformed();
    result.unknownProducts = tracker.unknownProducts();
    await Promise.allSettled([detail.close(), search.close(), clickhouse.close()]);
  }
  result.lag = {
    search: tracker.summary('search'),
    detail: tracker.summary('detail'),
    analytics: tracker.summary('analytics'),
  };
  return result;
}
