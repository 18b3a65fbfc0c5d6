import { performance } from 'node:perf_hooks';
import { HttpClient, type Reply, type RequestSpec } from './http-client.js';
import type { StopRule } from './options.js';
import { summarize, type LatencySummary } from './stats.js';

export interface RunSpec {
  readonly label: string;
  readonly origin: URL;
  readonly token: string;
  readonly concurrency: number;
  readonly stop: StopRule;
  readonly warmupMs: number;
  /** The next request of the scenario; called once per request, warm-up included. */
  readonly next: () => RequestSpec;
  /** Whether a 409 is an expected outcome here (counted as a conflict, not an error). */
  readonly conflictsExpected: boolean;
  /** Runs between warm-up and measurement (e.g. to read the outbox baseline). */
  readonly beforeMeasure?: () => Promise<void>;
  readonly signal: AbortSignal;
}

export interface RunCounts {
  /** Every request sent in the measured window, whatever its outcome. */
  readonly requests: number;
  /** 2xx answers: committed commands. */
  readonly ok: number;
  /** 409 answers where the scenario expects them (row contention, stock floor). */
  readonly conflicts: number;
  /** Everything else: non-2xx statuses and requests with no HTTP answer (status 0). */
  readonly errors: number;
  /** Every non-2xx status seen, conflicts included; "0" is a transport failure. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** The first answer body of each non-2xx status, to tell what went wrong. */
  readonly errorSamples: Readonly<Record<string, string>>;
}

export interface RunResult extends RunCounts {
  readonly concurrency: number;
  readonly warmupRequests: number;
  /** From the first request of the measured window to the last answer. */
  readonly elapsedMs: number;
  readonly commandsPerSecond: number;
  readonly requestsPerSecond: number;
  /** Over every measured request, errors included. */
  readonly latencyMs: LatencySummary;
  readonly interrupted: boolean;
}

class Tally {
  requests = 0;
  ok = 0;
  conflicts = 0;
  errors = 0;
  readonly byStatus: Record<string, number> = {};
  readonly errorSamples: Record<string, string> = {};
  readonly latencies: number[] = [];

  constructor(private readonly conflictsExpected: boolean) {}

  add(reply: Reply, ms: number): void {
    this.requests += 1;
    this.latencies.push(ms);
    const { status } = reply;
    if (status >= 200 && status < 300) {
      this.ok += 1;
      return;
    }
    const key = String(status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    this.errorSamples[key] ??= reply.body.slice(0, 500);
    if (status === 409 && this.conflictsExpected) this.conflicts += 1;
    else this.errors += 1;
  }
}

/** Workers that each send their next request as soon as the previous one was answered. */
async function closedLoop(
  client: HttpClient,
  workers: number,
  take: () => boolean,
  next: () => RequestSpec,
  done: (reply: Reply, ms: number) => void,
): Promise<void> {
  const worker = async () => {
    while (take()) {
      const spec = next();
      const started = performance.now();
      const reply = await client.send(spec);
      done(reply, performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

const fmtSeconds = (ms: number) =>
  ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;

/** Progress on stderr: one line rewritten in place on a terminal, a line every 5 s otherwise. */
function progress(label: string, started: number, tally: Tally, stop: StopRule): () => void {
  const tty = process.stderr.isTTY;
  const goal = stop.kind === 'duration' ? `/${fmtSeconds(stop.ms)}` : '';
  const line = () => {
    const elapsed = performance.now() - started;
    const rate = elapsed > 0 ? (tally.requests / elapsed) * 1000 : 0;
    const target = stop.kind === 'requests' ? `/${stop.count}` : '';
    return (
      `[bench] ${label}  ${fmtSeconds(elapsed)}${goal}  ${tally.requests}${target} requests` +
      `  ${rate.toFixed(0)} req/s  ${tally.errors + tally.conflicts} non-2xx`
    );
  };
  const timer = setInterval(
    () => process.stderr.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`),
    tty ? 500 : 5000,
  );
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write(tty ? `\r\x1b[2K${line()}  done\n` : `${line()}  done\n`);
  };
}

export async function runClosedLoop(spec: RunSpec): Promise<RunResult> {
  const { signal } = spec;
  const client = new HttpClient(spec.origin, spec.token, spec.concurrency);
  try {
    let warmupRequests = 0;
    if (spec.warmupMs > 0 && !signal.aborted) {
      process.stderr.write(`[bench] ${spec.label}  warming up ${fmtSeconds(spec.warmupMs)}\n`);
      const until = performance.now() + spec.warmupMs;
      await closedLoop(
        client,
        spec.concurrency,
        () => !signal.aborted && performance.now() < until,
        spec.next,
        () => void (warmupRequests += 1),
      );
    }
    await spec.beforeMeasure?.();

    const tally = new Tally(spec.conflictsExpected);
    const started = performance.now();
    let issued = 0;
    const take =
      spec.stop.kind === 'duration'
        ? (() => {
            const until = started + spec.stop.ms;
            return () => !signal.aborted && performance.now() < until;
          })()
        : (() => {
            const count = spec.stop.count;
            return () => !signal.aborted && issued++ < count;
          })();
    const finish = progress(spec.label, started, tally, spec.stop);
    try {
      await closedLoop(client, spec.concurrency, take, spec.next, (reply, ms) =>
        tally.add(reply, ms),
      );
    } finally {
      finish();
    }
    const elapsedMs = performance.now() - started;
    return {
      concurrency: spec.concurrency,
      warmupRequests,
      requests: tally.requests,
      ok: tally.ok,
      conflicts: tally.conflicts,
      errors: tally.errors,
      byStatus: tally.byStatus,
      errorSamples: tally.errorSamples,
      elapsedMs,
      commandsPerSecond: (tally.ok / elapsedMs) * 1000,
      requestsPerSecond: (tally.requests / elapsedMs) * 1000,
      latencyMs: summarize(tally.latencies),
      interrupted: signal.aborted,
    };
  } finally {
    client.close();
  }
}
