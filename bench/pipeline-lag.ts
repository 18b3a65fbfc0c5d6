/**
 * Read-model lag benchmark: commit → searchable, commit → detail, commit → analytics, at a steady
 * open-loop write rate, through the real services running as child processes. See bench/README.md.
 *
 *   npm run bench:lag                 # 60 s at 100 commands/s (plus set-up, ~1.5 min)
 *   npm run bench:lag -- --quick      # 15 s at 50 commands/s
 *   npm run bench:lag -- --rate 200 --duration 2m
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { detailKeys } from '../shared/read-models/detail/document.js';
import { clickhouseFromConfig } from '../shared/stores/open.js';
import { closeRedis, createRedis } from '../shared/stores/redis.js';
import { openSearch } from '../shared/stores/search/open.js';
import { lagUsage, parseLagOptions, type LagOptions } from './lib/lag-options.js';
import { lagTable, samplerLine, writeTable } from './lib/lag-report.js';
import {
  LagTracker,
  readModels,
  type LagSummary,
  type ReadModel,
  type TimelineSlice,
} from './lib/lag-tracker.js';
import {
  analyticsProbe,
  Sampler,
  searchProbe,
  subscribeDetail,
  type SamplerStats,
} from './lib/observers.js';
import {
  commandMix,
  createPool,
  LATE_MS,
  runOpenLoop,
  type LiveCounts,
  type OpenLoopResult,
} from './lib/open-loop.js';
import { UsageError } from './lib/options.js';
import { startPipeline, type Pipeline } from './lib/pipeline.js';
import { cpuSnapshot, cpuUse, type CpuSnapshot, type CpuUse } from './lib/proc-cpu.js';
import { machineInfo, writeResults } from './lib/report.js';
import {
  bucketDelta,
  projectionLagBuckets,
  type BucketSummary,
  type Buckets,
} from './lib/service-metrics.js';
import { interruptible } from './lib/interrupt.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[lag] ${line}\n`);
/** Longest wait for the freshly created pool to reach every read model before the load. */
const SETTLE_TIMEOUT_MS = 120_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

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

async function storeVersions(pipeline: Pipeline) {
  const versions: Record<string, string | undefined> = {};
  const attempt = async (name: string, read: () => Promise<string | undefined>) => {
    try {
      versions[name] = await read();
    } catch {
      versions[name] = undefined;
    }
  };
  await attempt('postgres', async () => {
    const { rows } = await pipeline.admin.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version;
  });
  await attempt('redis', async () => {
    const redis = createRedis(pipeline.config.redisUrl, 'command');
    redis.on('error', () => undefined);
    try {
      return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    } finally {
      await closeRedis(redis);
    }
  });
  await attempt('search', async () => {
    const search = openSearch(pipeline.config);
    try {
      const info = await search.client.info();
      return `${info.distribution} ${info.version}`;
    } finally {
      await search.close();
    }
  });
  await attempt('clickhouse', async () => {
    const ch = clickhouseFromConfig(pipeline.config);
    try {
      const result = await ch.client.query({
        query: 'SELECT version() AS v',
        format: 'JSONEachRow',
      });
      return (await result.json<{ v: string }>())[0]?.v;
    } finally {
      await ch.close();
    }
  });
  return versions;
}

interface Measurement {
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

const SLICE_MS = 5000;

/** Lag of the last quarter of the run against the first: did the read model keep up? */
function trend(slices: readonly TimelineSlice[]): { first: number; last: number } | undefined {
  const quarter = Math.floor(slices.length / 4);
  if (quarter < 1) return undefined;
  const p50s = (part: readonly TimelineSlice[]) =>
    part.map((s) => s.p50).filter((v) => !Number.isNaN(v));
  const mean = (v: number[]) =>
    v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;
  return { first: mean(p50s(slices.slice(0, quarter))), last: mean(p50s(slices.slice(-quarter))) };
}

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

async function measure(
  pipeline: Pipeline,
  options: LagOptions,
  signal: AbortSignal,
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

function findWarnings(m: Measurement, pipeline: Pipeline, signal: AbortSignal): string[] {
  const found: string[] = [];
  const w = m.write;
  if (w !== undefined) {
    if (w.errors > 0) {
      const statuses = Object.entries(w.byStatus)
        .map(([status, n]) => `${status === '0' ? 'no answer' : status}×${n}`)
        .join(', ');
      found.push(`WARNING ${w.errors} commands failed (${statuses})`);
      for (const [status, body] of Object.entries(w.errorSamples)) {
        found.push(`  first ${status === '0' ? 'transport error' : `HTTP ${status}`}: ${body}`);
      }
    }
    if (w.lateSends > 0) {
      found.push(
        `WARNING the client fell behind: ${w.lateSends} of ${w.sent} sends more than ${LATE_MS} ms ` +
          `after their schedule (max ${w.latenessMs.max.toFixed(1)} ms)`,
      );
    }
  }
  for (const model of readModels) {
    const s = m.lag?.[model];
    if (s !== undefined && s.neverObserved > 0) {
      found.push(`WARNING ${model}: ${s.neverObserved} changes never observed within the deadline`);
    }
  }
  for (const model of readModels) {
    const t = trend(m.timeline[model] ?? []);
    if (t !== undefined && t.last > 2 * t.first && t.last > 1000) {
      found.push(
        `WARNING ${model}: lag grew during the run (p50 ${(t.first / 1000).toFixed(2)} s in the first ` +
          `quarter, ${(t.last / 1000).toFixed(2)} s in the last): it did not keep up with the rate, ` +
          'so its percentiles depend on the run length (per-5 s figures in the JSON)',
      );
    }
  }
  for (const s of m.samplers) {
    if (s.errors > 0)
      found.push(`WARNING ${s.model} sampler: ${s.errors} failed samples (${s.firstError ?? ''})`);
  }
  if (m.detailMalformed > 0) found.push(`WARNING ${m.detailMalformed} malformed detail messages`);
  if (m.unknownProducts > 0) {
    found.push(
      `WARNING ${m.unknownProducts} products seen in a read model that the bench did not create`,
    );
  }
  const delay = m.benchEventLoopDelayMs;
  if (delay !== undefined && delay.p99 > 20) {
    found.push(
      `WARNING the bench's own event loop lagged (p99 ${delay.p99.toFixed(1)} ms): its timestamps are that much less precise`,
    );
  }
  for (const s of pipeline.services) {
    if (s.lines.length > 0) {
      found.push(
        `WARNING ${s.name} logged ${s.lines.length}${s.lines.length >= 50 ? '+' : ''} warn/error lines, first: ${s.lines[0]?.slice(0, 300) ?? ''}`,
      );
    }
  }
  if (signal.aborted) found.push('WARNING interrupted: figures are partial');
  return found;
}

async function main(): Promise<void> {
  let options: LagOptions;
  try {
    const parsed = parseLagOptions(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(lagUsage);
      return;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${lagUsage}`);
    process.exitCode = 2;
    return;
  }
  const signal = interruptible(log, 'services are killed, the bench_lag_* namespaces stay');
  const startedAt = new Date();
  log(
    `${options.rate} commands/s for ${seconds(options.durationMs)} after ${seconds(options.warmupMs)} ` +
      `warm-up, over ${options.poolSize} products; deadline ${seconds(options.deadlineMs)}`,
  );

  const pipeline = await startPipeline(log);
  let measurement: Measurement | undefined;
  let versions: Record<string, string | undefined> = {};
  let dropFailures: string[] = [];
  let failure: unknown;
  try {
    versions = await storeVersions(pipeline);
    measurement = await measure(pipeline, options, signal);
  } catch (error) {
    failure = error;
  } finally {
    await pipeline.stopServices();
    if (options.keep) {
      log(
        `kept namespaces ${pipeline.namespaces.databaseSchema} (schema, Redis prefix, index prefix, ClickHouse db)`,
      );
    } else {
      dropFailures = await pipeline.dropNamespaces();
      log(
        dropFailures.length === 0
          ? `dropped namespaces ${pipeline.namespaces.databaseSchema}`
          : `WARNING cleanup failed: ${dropFailures.join('; ')}`,
      );
    }
    await pipeline.close();
  }
  if (failure !== undefined || measurement === undefined) {
    for (const s of pipeline.services) {
      for (const line of s.lines.slice(0, 5)) log(`${s.name}: ${line.slice(0, 500)}`);
    }
    throw failure;
  }

  const m = measurement;
  const found = findWarnings(m, pipeline, signal);
  const how: Record<ReadModel, string> = {
    search: `_search every ${options.searchSampleMs} ms`,
    detail: 'pub/sub push',
    analytics: `ClickHouse every ${options.analyticsSampleMs} ms`,
  };
  const legend = [
    '',
    'commit = the 2xx answer arriving at the bench (the latest the commit can have happened);',
    'visible = the first observation of that version or a later one of the product.',
    'search: a real _search, so after an index refresh (refresh_interval 1s); the figure is an',
    'upper bound, late by up to one observation window (below). Exact nearest-rank percentiles.',
    ...m.samplers.map((s) => `  ${samplerLine(s)}`),
    `  detail: ${m.detailMessages} messages received on ${detailKeys.versions(pipeline.namespaces.redisKeyPrefix)}`,
    `  bench event loop delay p99 ${m.benchEventLoopDelayMs?.p99.toFixed(1) ?? '-'} ms (timestamp precision)`,
    `projectors' own event time → applied (their aisle_projection_lag_seconds, bucket bounds):`,
    ...readModels.map((model) => {
      const b = m.projectorApplied[model];
      return b === undefined
        ? `  ${model}: not available`
        : `  ${model}: ${b.count} events, p50 ≤ ${b.p50AtMostS} s, p90 ≤ ${b.p90AtMostS} s, p99 ≤ ${b.p99AtMostS} s`;
    }),
    m.cpu === undefined
      ? 'CPU: not measured (no measured window, or no /proc)'
      : `CPU while sending: machine ${m.cpu.machineBusyPercent}% busy of ${os.cpus().length} CPUs; ` +
        `bench + services ${m.cpu.watchedPercent}%, everything else (stores, other programs) ` +
        `${m.cpu.othersPercent}%; load average after ${m.loadAverageAfter.join(' ')}`,
  ];
  if (m.write !== undefined && m.lag !== undefined) {
    process.stdout.write(
      `\n${writeTable(m.write, options.durationMs)}\n\n${lagTable(m.lag, how)}\n${legend.join('\n')}\n`,
    );
  }
  if (found.length > 0) process.stdout.write(`\n${found.join('\n')}\n`);

  const file = await writeResults(
    resultsDir,
    startedAt,
    {
      benchmark:
        'aisle pipeline lag: commit → searchable / detail / analytics at a steady write rate',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted: signal.aborted,
      machine: { ...machineInfo(versions.postgres), stores: versions },
      pipeline: {
        mode: 'child processes: node --import tsx services/<name>/main.ts, one event loop each',
        services: pipeline.services.map((s) => ({ name: s.name, port: s.port, pid: s.child.pid })),
        namespaces: pipeline.namespaces,
        dropped: !options.keep && dropFailures.length === 0,
        serviceSettings: {
          databasePoolMax: pipeline.config.databasePoolMax,
          outboxPollIntervalMs: pipeline.config.outboxPollIntervalMs,
          outboxBatchSize: pipeline.config.outboxBatchSize,
          projectionConcurrency: pipeline.config.projectionConcurrency,
          projectionBatchWaitMs: pipeline.config.projectionBatchWaitMs,
          searchRefreshInterval: '1s (shared/read-models/search/products.template.json)',
        },
        serviceLogLines: Object.fromEntries(pipeline.services.map((s) => [s.name, s.lines])),
      },
      settings: {
        ...options,
        lateThresholdMs: LATE_MS,
        mix: 'round-robin over the pool; per product alternately PUT price and POST stock-adjustments ±1',
        commitTime: '2xx answer received by the bench (upper bound of the commit instant)',
        observation: {
          search: 'first _search answer (terms on id, visible=true) showing that version or later',
          detail: `PUBLISH <id> <version> on ${detailKeys.versions(pipeline.namespaces.redisKeyPrefix)}`,
          analytics:
            'first ClickHouse answer where max(version) of catalog_events is that version or later',
        },
        percentiles: 'nearest-rank over every measured change that was observed',
      },
      write: m.write,
      lag: m.lag,
      neverObserved:
        m.lag === undefined
          ? undefined
          : Object.fromEntries(readModels.map((r) => [r, m.lag?.[r].neverObserved])),
      drain: { allSeen: m.allSeen, ms: m.drainMs, deadlineMs: options.deadlineMs },
      lagTimeline: { sliceMs: SLICE_MS, ...m.timeline },
      samplers: m.samplers,
      detail: { messages: m.detailMessages, malformed: m.detailMalformed },
      poolSettle: m.poolSettle,
      benchEventLoopDelayMs: m.benchEventLoopDelayMs,
      projectorApplied: {
        what: "each projector's aisle_projection_lag_seconds (event updatedAt → applied), scraped at the start of the measured window and after the drain; percentiles are bucket upper bounds in seconds",
        ...m.projectorApplied,
      },
      cpuWhileSending: m.cpu,
      loadAverageAfter: m.loadAverageAfter,
      warnings: found,
    },
    'pipeline-lag',
  );
  log(`results written to ${file}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(
    `bench:lag failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
