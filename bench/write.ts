/**
 * Write benchmark of the catalog-write admin API: closed-loop HTTP load against a real
 * catalog-write on a real Postgres, per scenario × concurrency. See bench/README.md.
 *
 *   npm run bench:write                 # ~2-3 min, in-process service on a fresh schema
 *   npm run bench:write -- --quick      # ~20 s smoke run
 *   ADMIN_TOKENS=… npm run bench:write -- --url http://127.0.0.1:3001
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseOptions, usage, UsageError, type BenchOptions } from './lib/options.js';
import {
  machineInfo,
  table,
  warnings,
  writeResults,
  type OutboxCheck,
  type ScenarioRun,
} from './lib/report.js';
import { runClosedLoop } from './lib/runner.js';
import { buildScenario, createFixtures, type Scenario } from './lib/scenarios.js';
import { connectToUrl, startInProcess, type Target } from './lib/target.js';
import { interruptible } from './lib/interrupt.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function plan(options: BenchOptions): string {
  const runs = options.scenarios.length * options.concurrency.length;
  const each =
    options.stop.kind === 'duration'
      ? `${options.stop.ms / 1000}s`
      : `${options.stop.count} requests`;
  const estimate =
    options.stop.kind === 'duration'
      ? `, about ${Math.ceil((runs * (options.stop.ms + options.warmupMs)) / 1000)} s of load`
      : '';
  return (
    `${runs} runs (${options.scenarios.join(', ')} × concurrency ${options.concurrency.join(', ')}), ` +
    `${each} each after ${options.warmupMs / 1000}s warm-up${estimate}`
  );
}

async function measure(
  target: Target,
  scenario: Scenario,
  concurrency: number,
  options: BenchOptions,
  signal: AbortSignal,
): Promise<ScenarioRun> {
  let before: number | undefined;
  const result = await runClosedLoop({
    label: `${scenario.name} c=${concurrency}`,
    origin: target.origin,
    token: target.token,
    concurrency,
    stop: options.stop,
    warmupMs: options.warmupMs,
    next: scenario.next,
    conflictsExpected: scenario.conflictsExpected,
    beforeMeasure: async () => {
      before = await target.countOutbox();
    },
    signal,
  });
  const after = await target.countOutbox();
  let outbox: OutboxCheck | undefined;
  if (before !== undefined && after !== undefined) {
    const added = after - before;
    outbox = { before, after, added, expected: result.ok, matches: added === result.ok };
    if (!outbox.matches) {
      log(
        `WARNING ${scenario.name} c=${concurrency}: outbox +${added} rows for ${result.ok} 2xx answers`,
      );
    }
  }
  return { scenario: scenario.name, ...result, outbox };
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(usage);
      return;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const signal = interruptible(log, 'the bench schema may be left behind');
  const startedAt = new Date();

  const target = options.url
    ? await connectToUrl(options.url)
    : await startInProcess({ keep: options.keep, dbPoolMax: options.dbPoolMax });
  const machine = machineInfo(await target.postgresVersion());
  log(
    target.mode === 'in-process'
      ? `catalog-write in process at ${target.origin.origin}, schema ${target.schema}, ` +
          `DATABASE_POOL_MAX ${target.dbPoolMax}`
      : `catalog-write at ${target.origin.origin}, outbox counted in schema ${target.schema}`,
  );
  log(`${machine.cpus} CPUs, Node ${machine.node}, Postgres ${machine.postgres ?? 'not visible'}`);
  log(plan(options));

  const runs: ScenarioRun[] = [];
  const scenarios: Scenario[] = [];
  let schemaDropped = false;
  try {
    const runId = randomBytes(3).toString('hex');
    const needsPool = options.scenarios.some((s) => s === 'price' || s === 'stock');
    const needsHot = options.scenarios.includes('price-hot');
    if (needsPool || needsHot) {
      const started = Date.now();
      const fixtures = await createFixtures(target.origin, target.token, runId, options.poolSize, {
        pool: needsPool,
        hot: needsHot,
      });
      log(
        `created ${fixtures.pool.length} pool products${needsHot ? ' and the hot product' : ''} ` +
          `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      scenarios.push(...options.scenarios.map((name) => buildScenario(name, runId, fixtures)));
    } else {
      const none = { pool: [], hot: undefined };
      scenarios.push(...options.scenarios.map((name) => buildScenario(name, runId, none)));
    }
    for (const scenario of scenarios) {
      for (const concurrency of options.concurrency) {
        if (signal.aborted) break;
        runs.push(await measure(target, scenario, concurrency, options, signal));
      }
    }
  } finally {
    try {
      ({ schemaDropped } = await target.close());
      if (target.mode === 'in-process') {
        log(schemaDropped ? `dropped schema ${target.schema}` : `kept schema ${target.schema}`);
      }
    } catch (error) {
      log(`WARNING cleanup failed: ${(error as Error).message}`);
    }
  }

  const found = warnings(runs);
  const legend = [
    '',
    'ok = 2xx (committed commands); conflicts = expected 409s (price-hot, stock);',
    'errors = any other non-2xx or no answer; cmd/s = ok per second of the measured window;',
    'latencies over every measured request, exact nearest-rank percentiles; outbox + = rows',
    'added during the measured window (must equal ok; "!" marks a mismatch).',
    ...scenarios.map((s) => `  ${s.name.padEnd(9)} ${s.measures}`),
  ];
  process.stdout.write(`\n${table(runs)}\n${legend.join('\n')}\n`);
  if (found.length > 0) process.stdout.write(`\n${found.join('\n')}\n`);

  const file = await writeResults(resultsDir, startedAt, {
    benchmark: 'aisle catalog-write admin API: write commands over HTTP',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    interrupted: signal.aborted,
    machine,
    target: {
      mode: target.mode,
      origin: target.origin.origin,
      schema: target.schema,
      schemaDropped,
      databasePoolMax: target.dbPoolMax ?? null,
      clientAndServer:
        target.mode === 'in-process'
          ? 'one Node process, one event loop'
          : 'separate processes on one machine',
    },
    settings: {
      scenarios: options.scenarios,
      concurrency: options.concurrency,
      stop: options.stop,
      warmupMs: options.warmupMs,
      poolSize: options.poolSize,
      quick: options.quick,
      httpClient: 'node:http keep-alive agent, one socket per worker',
      percentiles: 'nearest-rank over every measured request, errors included',
    },
    scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s.measures])),
    runs,
    warnings: found,
  });
  log(`results written to ${file}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(
    `bench:write failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
