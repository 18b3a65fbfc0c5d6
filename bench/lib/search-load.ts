/**
 * One measured run of bench:search under autocannon (programmatic API): N keep-alive
 * connections in a closed loop, each request the next of a fixed list. Throughput and latency
 * count only the answers that are search results (200): a side that sheds load with fast 503s
 * (both do past STORE_REQUEST_TIMEOUT_MS) must not look faster for it. Every other answer is
 * counted by status, and connection errors and timeouts by message.
 */
import autocannon from 'autocannon';
import type { Request, Result } from 'autocannon';
import { summarize, type LatencySummary } from './stats.js';

export interface SearchLoadSpec {
  readonly title: string;
  readonly origin: URL;
  readonly connections: number;
  readonly durationMs: number;
  readonly timeoutS: number;
  /** The next path to ask for. */
  readonly next: () => string;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** Progress lines every few seconds (off for warm-ups). */
  readonly progress: boolean;
}

export interface SearchLoad {
  readonly title: string;
  readonly connections: number;
  /** Seconds, as autocannon measured the run. */
  readonly durationS: number;
  /** 200 answers per second of the run. */
  readonly okPerSecond: number;
  /** Exact latency of the 200 answers (ms, autocannon's sub-millisecond response time). */
  readonly latencyMs: LatencySummary;
  readonly ok: number;
  /** Answers by status, 200 included. */
  readonly statuses: Record<string, number>;
  /** Non-200 answers, timeouts and connection errors. */
  readonly failed: number;
  /** Timeouts and connection errors by message. */
  readonly transportErrors: Record<string, number>;
  /** autocannon's own figures, every status included (for comparison with bench:read). */
  readonly autocannon: {
    readonly requestsPerSecond: number;
    readonly latencyP50: number;
    readonly latencyP99: number;
  };
  readonly interrupted: boolean;
}

export async function runSearchLoad(spec: SearchLoadSpec): Promise<SearchLoad> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const transport = new Map<string, number>();
  const request: Request = {
    method: 'GET',
    setupRequest: (req) => ({ ...req, path: spec.next() }),
  };
  const seconds = spec.durationMs / 1000;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin.origin,
        connections: spec.connections,
        duration: seconds,
        timeout: spec.timeoutS,
        requests: [request],
        title: spec.title,
      },
      (error, done) => {
        spec.signal.removeEventListener('abort', stop);
        if (error) reject(error);
        else resolve(done);
      },
    );
    const stop = () => instance.stop();
    spec.signal.addEventListener('abort', stop, { once: true });
    instance.on('response', (_client, status, _bytes, ms) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 200) latencies.push(ms);
    });
    instance.on('reqError', (error) => {
      transport.set(error.message, (transport.get(error.message) ?? 0) + 1);
    });
    let second = 0;
    let okBefore = 0;
    instance.on('tick', () => {
      second += 1;
      if (spec.progress && second % 5 === 0 && second <= seconds) {
        const okNow = latencies.length;
        spec.log(
          `  ${spec.title}: ${second}/${seconds} s, ${((okNow - okBefore) / 5).toFixed(1)} ok/s`,
        );
        okBefore = okNow;
      }
    });
  });
  let answers = 0;
  for (const n of statuses.values()) answers += n;
  let transportErrors = 0;
  for (const n of transport.values()) transportErrors += n;
  const ok = statuses.get(200) ?? 0;
  return {
    title: spec.title,
    connections: spec.connections,
    durationS: result.duration,
    okPerSecond: ok / Math.max(result.duration, 0.001),
    latencyMs: summarize(latencies),
    ok,
    statuses: Object.fromEntries([...statuses].map(([s, n]) => [String(s), n])),
    failed: answers - ok + transportErrors,
    transportErrors: Object.fromEntries(transport),
    autocannon: {
      requestsPerSecond: result.requests.average,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
    },
    interrupted: spec.signal.aborted,
  };
}
