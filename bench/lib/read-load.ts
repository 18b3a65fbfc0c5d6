/**
 * One bench:read scenario under autocannon (programmatic API): N keep-alive connections, each
 * sending its next request as soon as the previous answer is complete (closed loop), a warm-up
 * run first whose figures are discarded, then the measured run.
 *
 * autocannon's own histograms give the headline figures (requests/s per second sampled, latency
 * percentiles in whole milliseconds, as its HDR histogram records them). Every answer is also
 * recorded here with autocannon's sub-millisecond response time and the route it went to, for
 * exact per-route percentiles (the mixed scenario needs them per route anyway).
 */
import autocannon from 'autocannon';
import type { Request, Result } from 'autocannon';
import { summarize, type LatencySummary } from './stats.js';
import type { NextRequest, RouteKind } from './read-requests.js';

export interface LoadSpec {
  readonly title: string;
  readonly origin: URL;
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly timeoutS: number;
  readonly next: () => NextRequest;
  /** Statuses that are the scenario's normal answer (200; 304 for detail-304). */
  readonly expected: ReadonlySet<number>;
  /** Every answer, warm-up included (the mixed scenario's writes follow it). */
  readonly onAnswer?: () => void;
  /** The measured run begins. */
  readonly onMeasureStart?: () => void;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

export interface RouteFigures {
  readonly answers: number;
  readonly byStatus: Record<string, number>;
  /** Exact nearest-rank percentiles of every answer's response time (ms, sub-ms precision). */
  readonly latencyMs: LatencySummary;
}

/** autocannon's histogram figures that the report keeps. */
export interface HistogramFigures {
  readonly average: number;
  readonly stddev: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p97_5: number;
  readonly p99: number;
  readonly p99_9: number;
  readonly max: number;
}

export interface LoadResult {
  readonly title: string;
  readonly connections: number;
  /** Seconds, as autocannon measured the run. */
  readonly durationS: number;
  /** Answers completed in the measured run. */
  readonly answers: number;
  /** autocannon's mean of its per-second samples of completed requests. */
  readonly requestsPerSecond: number;
  /** Per-second samples (autocannon's `requests` histogram). */
  readonly requestsPerSecondHistogram: HistogramFigures;
  /** autocannon's latency histogram, whole milliseconds. */
  readonly latencyMs: HistogramFigures;
  readonly bytesPerSecond: number;
  readonly statusCodes: Record<string, number>;
  /** Answers with an expected status. */
  readonly ok: number;
  /** autocannon's non-2xx count (304s included). */
  readonly non2xx: number;
  /** Answers with a status the scenario does not expect. */
  readonly unexpected: number;
  /** No answer: connection errors and timeouts (autocannon's `errors`, timeouts included). */
  readonly errors: number;
  readonly timeouts: number;
  readonly errorSamples: Record<string, number>;
  readonly byRoute: Partial<Record<RouteKind, RouteFigures>>;
  readonly warmup:
    | { readonly durationS: number; readonly answers: number; readonly requestsPerSecond: number }
    | undefined;
  readonly interrupted: boolean;
}

const histogram = (h: Result['latency']): HistogramFigures => ({
  average: h.average,
  stddev: h.stddev,
  min: h.min,
  p50: h.p50,
  p90: h.p90,
  p97_5: h.p97_5,
  p99: h.p99,
  p99_9: h.p99_9,
  max: h.max,
});

interface Recorder {
  readonly latencies: Map<RouteKind, number[]>;
  readonly statuses: Map<RouteKind, Map<number, number>>;
  readonly errors: Map<string, number>;
}

function run(
  spec: LoadSpec,
  seconds: number,
  recorder: Recorder | undefined,
  onStart: () => void,
): Promise<Result> {
  // The connection's context carries the route of its request in flight: onResponse (called
  // with that context when the answer is complete) hands it to the `response` listener, which
  // autocannon calls synchronously right after, before the connection sends its next request.
  let answered: RouteKind = 'detail';
  const request: Request = {
    method: 'GET',
    setupRequest: (req, context) => {
      const next = spec.next();
      context['kind'] = next.kind;
      return {
        ...req,
        path: next.path,
        headers: next.headers === undefined ? {} : { ...next.headers },
      };
    },
    onResponse: (_status, _body, context) => {
      answered = context['kind'] as RouteKind;
    },
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin.origin,
        connections: spec.connections,
        duration: seconds,
        timeout: spec.timeoutS,
        requests: [request],
        title: spec.title,
      },
      (error, result) => {
        spec.signal.removeEventListener('abort', stop);
        if (error) reject(error);
        else resolve(result);
      },
    );
    const stop = () => instance.stop();
    spec.signal.addEventListener('abort', stop, { once: true });
    instance.on('start', onStart);
    instance.on('response', (_client, status, _bytes, ms) => {
      spec.onAnswer?.();
      if (recorder === undefined) return;
      let list = recorder.latencies.get(answered);
      if (list === undefined) recorder.latencies.set(answered, (list = []));
      list.push(ms);
      let counts = recorder.statuses.get(answered);
      if (counts === undefined)
        recorder.statuses.set(answered, (counts = new Map<number, number>()));
      counts.set(status, (counts.get(status) ?? 0) + 1);
    });
    if (recorder !== undefined) {
      instance.on('reqError', (error) => {
        recorder.errors.set(error.message, (recorder.errors.get(error.message) ?? 0) + 1);
      });
      let second = 0;
      const every = process.stderr.isTTY ? 1 : 5;
      instance.on('tick', ({ counter }) => {
        second += 1;
        if (second % every === 0 && second <= seconds) {
          spec.log(`  ${spec.title}: ${second}/${Math.ceil(seconds)} s, ${counter} answers/s`);
        }
      });
    }
  });
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let warmup: Result | undefined;
  if (spec.warmupMs > 0 && !spec.signal.aborted) {
    spec.log(`  ${spec.title}: warm-up ${spec.warmupMs / 1000} s (not counted)`);
    warmup = await run(spec, spec.warmupMs / 1000, undefined, () => undefined);
  }
  const recorder: Recorder = { latencies: new Map(), statuses: new Map(), errors: new Map() };
  const result = await run(spec, spec.durationMs / 1000, recorder, () => spec.onMeasureStart?.());

  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
  );
  let ok = 0;
  let answers = 0;
  for (const [code, count] of Object.entries(statusCodes)) {
    answers += count;
    if (spec.expected.has(Number(code))) ok += count;
  }
  const byRoute: Partial<Record<RouteKind, RouteFigures>> = {};
  for (const [kind, samples] of recorder.latencies) {
    byRoute[kind] = {
      answers: samples.length,
      byStatus: Object.fromEntries(
        [...(recorder.statuses.get(kind) ?? new Map<number, number>())].map(([s, n]) => [
          String(s),
          n,
        ]),
      ),
      latencyMs: summarize(samples),
    };
  }
  return {
    title: spec.title,
    connections: spec.connections,
    durationS: result.duration,
    answers,
    requestsPerSecond: result.requests.average,
    requestsPerSecondHistogram: histogram(result.requests),
    latencyMs: histogram(result.latency),
    bytesPerSecond: result.throughput.average,
    statusCodes,
    ok,
    non2xx: result.non2xx,
    unexpected: answers - ok,
    errors: result.errors,
    timeouts: result.timeouts,
    errorSamples: Object.fromEntries(recorder.errors),
    byRoute,
    warmup:
      warmup === undefined
        ? undefined
        : {
            durationS: warmup.duration,
            answers: Object.values(warmup.statusCodeStats).reduce((a, b) => a + b.count, 0),
            requestsPerSecond: warmup.requests.average,
          },
    interrupted: spec.signal.aborted,
  };
}
