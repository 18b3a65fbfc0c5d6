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
import { detailKeys } from '../shared/read-models/detail/document.js';
import { measure, seconds, SLICE_MS, type Measurement } from './lib/lag-measure.js';
import { lagUsage, parseLagOptions, type LagOptions } from './lib/lag-options.js';
import { lagTable, samplerLine, writeTable } from './lib/lag-report.js';
import { readModels, type ReadModel } from './lib/lag-tracker.js';
import { findWarnings } from './lib/lag-warnings.js';
import { LATE_MS } from './lib/open-loop.js';
import { UsageError } from './lib/options.js';
import { startPipeline } from './lib/pipeline.js';
import { machineInfo, writeResults } from './lib/report.js';
import { storeVersions } from './lib/store-versions.js';
import { interruptible } from './lib/interrupt.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[lag] ${line}\n`);

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
    measurement = await measure(pipeline, options, signal, log);
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
    'search: a real _search, so after an index refresh (refresh_interval 500ms); the figure is an',
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
          searchRefreshInterval: '500ms (shared/read-models/search/products.template.json)',
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
