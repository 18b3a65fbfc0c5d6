/**
 * bench:read's detail-vs-bare scenario: the detail route of a catalog-read started as `npm start`
 * starts it (its own process, the user's logging settings, every log line read off its stdout as
 * the launcher does), against a bare Fastify route serving the same bytes from memory
 * (read-bare-server.ts), in alternating rounds of the same run, at 32 connections and at 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/index.js';
import { projectRoot } from '../../shared/paths.js';
import { freePort } from '../../test/support/processes.js';
import { formatTable } from './lag-report.js';
import type { Pipeline } from './pipeline.js';
import { cpuSnapshot, type CpuSnapshot } from './proc-cpu.js';
import { runLoad, type LoadResult } from './read-load.js';
import { nextDetail, type RequestPools } from './read-requests.js';

export type CompareTarget = 'bare' | 'detail';
/** What measureOne labels a run with: a detail-vs-bare target, or another scenario's. */
export type RunTarget = CompareTarget | 'limiter-off' | 'limiter-on';

export interface Child {
  readonly name: string;
  readonly child: ChildProcess;
  readonly origin: URL;
  /** Lines written to stdout and stderr so far (log lines, for catalog-read). */
  lines: number;
  readonly firstLines: string[];
}

export interface CompareRun {
  readonly target: RunTarget;
  readonly connections: number;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number };
  readonly answers: number;
  readonly notOk: number;
  /** Lines the target process wrote during the measured run, per answer. */
  readonly logLinesPerRequest: number;
  /** CPU of the target process over the measured run, % of one core. */
  readonly targetCpuPercentOfCore: number | undefined;
  /**
   * CPU time of the target process per answer (µs). Unlike req/s, it hardly depends on what
   * else the machine runs meanwhile, so it is the steadier figure on a shared machine.
   */
  readonly targetCpuMicrosPerRequest: number | undefined;
}

export interface CompareSummary {
  readonly connections: number;
  readonly bareRequestsPerSecond: number;
  readonly detailRequestsPerSecond: number;
  /** detail ÷ bare of the summed answers per second over the rounds. */
  readonly ratio: number;
  /** The same ratio per round (each round runs both, back to back). */
  readonly roundRatios: readonly number[];
  /** Median CPU µs per answer of each target, and bare ÷ detail of those (the CPU-bound ratio). */
  readonly bareCpuMicrosPerRequest: number;
  readonly detailCpuMicrosPerRequest: number;
  readonly cpuRatio: number;
  readonly detailLogLinesPerRequest: number;
}

export interface CompareReport {
  /** The catalog-read entry point that was measured. */
  readonly detailMain: string;
  readonly logging: Readonly<Record<string, string | undefined>>;
  readonly documents: number;
  readonly runs: readonly CompareRun[];
  readonly summaries: readonly CompareSummary[];
}

export interface CompareOptions {
  readonly rounds: number;
  readonly connections: readonly number[];
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly timeoutS: number;
  /**
   * The catalog-read entry point to measure (default: this tree's); another checkout's
   * services/catalog-read/main.ts measures a before/after on the same catalog.
   */
  readonly detailMain?: string;
  /** Write both servers' V8 CPU profiles here (written when they stop). */
  readonly cpuProfileDir?: string;
}

const READY_TIMEOUT_MS = 60_000;
const LOGGING_VARIABLES = ['LOG_LEVEL', 'LOG_REQUESTS', 'LOG_SAMPLE_RATE', 'LOG_SLOW_MS'];

export function spawnChild(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  port: number,
  cpuProfileDir?: string,
): Child {
  const profile =
    cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const child = spawn(
    process.execPath,
    [...profile, '--enable-source-maps', '--import', 'tsx', script],
    {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const handle: Child = {
    name,
    child,
    origin: new URL(`http://127.0.0.1:${port}`),
    lines: 0,
    firstLines: [],
  };
  // What `npm start`'s launcher does with every chunk: split it into lines (it then prefixes and
  // writes them; here they are counted and dropped).
  let pending = '';
  const read = (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    handle.lines += lines.length;
    for (const line of lines) if (handle.firstLines.length < 5) handle.firstLines.push(line);
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  return handle;
}

export async function waitReady(child: Child, path: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) break;
    try {
      const response = await fetch(new URL(path, child.origin), {
        signal: AbortSignal.timeout(2000),
      });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} did not get ready: ${child.firstLines.join(' | ')}`);
}

export async function stop(child: Child): Promise<void> {
  if (child.child.exitCode !== null || child.child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.child.once('exit', () => resolve()));
  child.child.kill('SIGTERM');
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** The environment `npm start` gives catalog-read, on the pipeline's namespaces. */
export function npmStartEnv(pipeline: Pipeline, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    CATALOG_READ_PORT: String(port),
    DATABASE_SCHEMA: pipeline.namespaces.databaseSchema,
    REDIS_KEY_PREFIX: pipeline.namespaces.redisKeyPrefix,
    SEARCH_INDEX_PREFIX: pipeline.namespaces.searchIndexPrefix,
    CLICKHOUSE_DATABASE: pipeline.namespaces.clickhouseDatabase,
    ADMIN_TOKENS: pipeline.token,
    // One client at bench rates would be refused; the limiter has its own scenario (read-limiter).
    RATE_LIMIT_ENABLED: process.env['RATE_LIMIT_ENABLED'] ?? 'false',
  };
  return env;
}

function summarize(runs: readonly CompareRun[], connections: number): CompareSummary {
  const of = (target: CompareTarget) =>
    runs.filter((r) => r.connections === connections && r.target === target);
  const sum = (list: readonly CompareRun[]) => list.reduce((n, r) => n + r.requestsPerSecond, 0);
  const bare = of('bare');
  const detail = of('detail');
  const answers = detail.reduce((n, r) => n + r.answers, 0);
  const median = (list: readonly CompareRun[]) => {
    const values = list
      .map((r) => r.targetCpuMicrosPerRequest ?? Number.NaN)
      .filter((v) => !Number.isNaN(v))
      .sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const lines = detail.reduce((n, r) => n + r.logLinesPerRequest * r.answers, 0);
  return {
    connections,
    bareRequestsPerSecond: sum(bare) / Math.max(1, bare.length),
    detailRequestsPerSecond: sum(detail) / Math.max(1, detail.length),
    ratio: sum(detail) / sum(bare),
    roundRatios: detail.map((d) => {
      const b = bare.find((r) => r.round === d.round);
      return b === undefined ? Number.NaN : d.requestsPerSecond / b.requestsPerSecond;
    }),
    detailLogLinesPerRequest: answers === 0 ? 0 : lines / answers,
    bareCpuMicrosPerRequest: median(bare),
    detailCpuMicrosPerRequest: median(detail),
    cpuRatio: median(bare) / median(detail),
  };
}

export async function measureOne(
  target: Child,
  kind: RunTarget,
  connections: number,
  round: number,
  options: CompareOptions,
  pools: RequestPools,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<CompareRun> {
  const pid = target.child.pid;
  const before: { cpu?: CpuSnapshot; lines: number } = { lines: 0 };
  const load: LoadResult = await runLoad({
    title: `${kind} c=${connections} #${round}`,
    origin: target.origin,
    connections,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    timeoutS: options.timeoutS,
    next: nextDetail(pools),
    expected: new Set([200]),
    onMeasureStart: () => {
      const cpu = cpuSnapshot(pid === undefined ? [] : [pid]);
      if (cpu !== undefined) before.cpu = cpu;
      before.lines = target.lines;
    },
    signal,
    log,
  });
  const cpuAfter = cpuSnapshot(pid === undefined ? [] : [pid]);
  let cpu: number | undefined;
  let cpuPerAnswer: number | undefined;
  if (before.cpu !== undefined && cpuAfter !== undefined && pid !== undefined) {
    const ticks = (cpuAfter.processes.get(pid) ?? 0) - (before.cpu.processes.get(pid) ?? 0);
    const machine = cpuAfter.total - before.cpu.total;
    if (machine > 0) {
      // The machine's ticks over all CPUs ÷ CPUs = the wall time, in the same ticks.
      const shareOfCore = (ticks / machine) * os.cpus().length;
      cpu = Math.round(shareOfCore * 1000) / 10;
      if (load.answers > 0) cpuPerAnswer = (shareOfCore * load.durationS * 1e6) / load.answers;
    }
  }
  const route = load.byRoute.detail?.latencyMs;
  const run: CompareRun = {
    target: kind,
    connections,
    round,
    requestsPerSecond: load.requestsPerSecond,
    latencyMs: {
      p50: route?.p50 ?? Number.NaN,
      p99: route?.p99 ?? Number.NaN,
      mean: route?.mean ?? Number.NaN,
    },
    answers: load.answers,
    notOk: load.unexpected + load.errors,
    logLinesPerRequest: load.answers === 0 ? 0 : (target.lines - before.lines) / load.answers,
    targetCpuPercentOfCore: cpu,
    targetCpuMicrosPerRequest: cpuPerAnswer,
  };
  log(
    `  ${kind} c=${connections} round ${round}: ${run.requestsPerSecond.toFixed(0)} req/s, ` +
      `p50 ${run.latencyMs.p50.toFixed(2)} ms, p99 ${run.latencyMs.p99.toFixed(2)} ms, ` +
      `${run.logLinesPerRequest.toFixed(3)} log lines/request, CPU ${cpu ?? '-'}% of a core ` +
      `(${cpuPerAnswer === undefined ? '-' : cpuPerAnswer.toFixed(1)} µs/request)`,
  );
  return run;
}

/**
 * Both targets at each connection count, round after round; who goes first alternates, so a
 * drift of the machine's load does not favour one.
 */
export async function alternateRounds(
  targets: readonly [readonly [Child, RunTarget], readonly [Child, RunTarget]],
  options: CompareOptions,
  pools: RequestPools,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<CompareRun[]> {
  const runs: CompareRun[] = [];
  for (const connections of options.connections) {
    for (let round = 1; round <= options.rounds && !signal.aborted; round += 1) {
      const order = round % 2 === 1 ? targets : [targets[1], targets[0]];
      for (const [child, kind] of order) {
        if (signal.aborted) break;
        runs.push(await measureOne(child, kind, connections, round, options, pools, signal, log));
      }
    }
  }
  return runs;
}

/** Starts both targets, runs the alternating rounds, and stops them. */
export async function compareDetailWithBare(
  pipeline: Pipeline,
  pools: RequestPools,
  options: CompareOptions,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<CompareReport> {
  const [barePort, readPort] = [await freePort(), await freePort()];
  const readEnv = npmStartEnv(pipeline, readPort);
  const bare = spawnChild(
    'bare route',
    join(projectRoot, 'bench', 'lib', 'read-bare-server.ts'),
    {
      ...process.env,
      REDIS_URL: pipeline.config.redisUrl,
      REDIS_KEY_PREFIX: pipeline.namespaces.redisKeyPrefix,
      CACHE_SECONDS: String(pipeline.config.detailCacheSeconds),
      PORT: String(barePort),
    },
    barePort,
    options.cpuProfileDir,
  );
  const detail = spawnChild(
    'catalog-read (as npm start runs it)',
    options.detailMain ?? join(projectRoot, 'services', 'catalog-read', 'main.ts'),
    readEnv,
    readPort,
    options.cpuProfileDir,
  );
  const kill = () => {
    for (const c of [bare, detail]) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  };
  process.on('exit', kill);
  try {
    await Promise.all([
      waitReady(bare, pools.detail[0] ?? '/'),
      waitReady(detail, '/health/ready'),
    ]);
    const config = loadConfig(readEnv);
    const logging = Object.fromEntries(LOGGING_VARIABLES.map((v) => [v, readEnv[v]]));
    log(
      `detail-vs-bare: bare :${barePort}, catalog-read :${readPort} with log level ` +
        `${config.logLevel} (${LOGGING_VARIABLES.map((v) => `${v}=${readEnv[v] ?? 'default'}`).join(' ')})`,
    );
    const runs = await alternateRounds(
      [
        [bare, 'bare'],
        [detail, 'detail'],
      ],
      options,
      pools,
      signal,
      log,
    );
    return {
      detailMain: options.detailMain ?? 'services/catalog-read/main.ts',
      logging: { ...logging, effectiveLogLevel: config.logLevel },
      documents: pools.detail.length,
      runs,
      summaries: options.connections.map((c) => summarize(runs, c)),
    };
  } finally {
    await Promise.all([stop(bare), stop(detail)]);
    process.off('exit', kill);
  }
}

const fixed = (v: number, digits: number) => (Number.isNaN(v) ? '-' : v.toFixed(digits));

/** One row per run, then the ratio per connection count. */
export function compareTable(report: CompareReport): string {
  const rows = report.runs.map((r) => [
    `${r.target} c=${r.connections} #${r.round}`,
    fixed(r.requestsPerSecond, 0),
    fixed(r.latencyMs.mean, 2),
    fixed(r.latencyMs.p50, 2),
    fixed(r.latencyMs.p99, 2),
    String(r.notOk),
    fixed(r.logLinesPerRequest, 3),
    r.targetCpuPercentOfCore === undefined ? '-' : fixed(r.targetCpuPercentOfCore, 0),
    r.targetCpuMicrosPerRequest === undefined ? '-' : fixed(r.targetCpuMicrosPerRequest, 1),
  ]);
  const table = formatTable(
    [
      'run',
      'req/s',
      'mean ms',
      'p50 ms',
      'p99 ms',
      'not ok',
      'log lines/req',
      'CPU % core',
      'CPU µs/req',
    ],
    rows,
  );
  const ratios = report.summaries.map(
    (s) =>
      `c=${s.connections}: detail ${fixed(s.detailRequestsPerSecond, 0)} req/s ÷ bare ` +
      `${fixed(s.bareRequestsPerSecond, 0)} req/s = ${fixed(s.ratio, 2)} ` +
      `(rounds ${s.roundRatios.map((r) => fixed(r, 2)).join(', ')}); CPU per request: bare ` +
      `${fixed(s.bareCpuMicrosPerRequest, 1)} µs ÷ detail ${fixed(s.detailCpuMicrosPerRequest, 1)} µs ` +
      `= ${fixed(s.cpuRatio, 2)}`,
  );
  const logging = Object.entries(report.logging)
    .map(([k, v]) => `${k}=${v ?? 'default'}`)
    .join(' ');
  return `detail-vs-bare (${report.documents} documents; ${report.detailMain}; logging: ${logging}):\n${table}\n${ratios.join('\n')}`;
}
