import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { HttpClient, type Reply, type RequestSpec } from './http-client.js';
import type { LagTracker } from './lag-tracker.js';
import { productBody } from './scenarios.js';
import { summarize, type LatencySummary } from './stats.js';

const PRODUCTS = '/admin/v1/products';
const WAREHOUSES = ['ams-1', 'ber-1', 'par-1'] as const;
/** A send more than this behind its schedule counts as the client falling behind. */
export const LATE_MS = 10;
/** Sockets of the open-loop client; more requests in flight than this queue in the client. */
const SOCKETS = 256;

export interface Command {
  readonly id: string;
  readonly kind: 'price' | 'stock';
  readonly spec: RequestSpec;
}

/** The version a 2xx command answer carries: X-Aisle-Version, else body.version. */
export function versionOf(reply: Reply): number | undefined {
  const header = reply.headers?.['x-aisle-version'];
  if (typeof header === 'string' && /^\d+$/.test(header)) return Number(header);
  try {
    const body = JSON.parse(reply.body) as { version?: unknown };
    return typeof body.version === 'number' ? body.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Round-robin over the pool, so a product gets a command every pool/rate seconds (10 s at the
 * defaults, far more than the lag). Visits alternate price and stock per product, half the pool
 * starting with each; stock visits alternate −1 and +1, so stock stays near its start. Every
 * price is one no product has yet (setting the current price again is a 422 by design).
 */
export function commandMix(pool: readonly string[]): (n: number) => Command {
  let amount = 5_000_000;
  return (n) => {
    const index = n % pool.length;
    const visit = Math.floor(n / pool.length);
    const id = pool[index] ?? '';
    if ((visit + index) % 2 === 0) {
      return {
        id,
        kind: 'price',
        spec: {
          method: 'PUT',
          path: `${PRODUCTS}/${id}/price`,
          body: { amountMinor: amount++, currency: 'EUR' },
        },
      };
    }
    const delta = Math.floor(visit / 2) % 2 === 0 ? -1 : 1;
    return {
      id,
      kind: 'stock',
      spec: {
        method: 'POST',
        path: `${PRODUCTS}/${id}/stock-adjustments`,
        body: { warehouse: WAREHOUSES[index % WAREHOUSES.length], delta, reason: 'bench lag' },
      },
    };
  };
}

/**
 * Creates and publishes the pool over the API (16 at a time) and tracks each creation as an
 * unmeasured change, so the caller can wait until every read model holds the whole pool.
 */
export async function createPool(
  origin: URL,
  token: string,
  size: number,
  tracker: LagTracker,
): Promise<string[]> {
  const run = randomUUID().slice(0, 6);
  const ids = Array.from({ length: size }, () => randomUUID());
  const client = new HttpClient(origin, token, 16);
  try {
    let cursor = 0;
    const worker = async () => {
      for (let n = cursor++; n < ids.length; n = cursor++) {
        const id = ids[n] ?? '';
        const reply = await client.send({
          method: 'POST',
          path: PRODUCTS,
          body: productBody(`BL-${run}-${n}`, n, { id, status: 'published' }),
        });
        const committedAt = performance.now();
        const version = versionOf(reply);
        if (reply.status !== 201 || version === undefined) {
          throw new Error(`creating pool product: HTTP ${reply.status} ${reply.body}`);
        }
        tracker.commit({ id, version, kind: 'create', measured: false, committedAt });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    client.close();
  }
  return ids;
}

/** Counters visible while the load runs (for progress), over warm-up and measured commands. */
export interface LiveCounts {
  sent: number;
  answered: number;
  ok: number;
  errors: number;
  late: number;
  inFlight: number;
}

export interface OpenLoopResult {
  readonly rate: number;
  /** Measured commands the schedule called for (fewer if interrupted). */
  readonly scheduled: number;
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly errorSamples: Readonly<Record<string, string>>;
  readonly warmupSent: number;
  /** Measured 2xx per second, from the first measured send to the last measured answer. */
  readonly commandsPerSecond: number;
  readonly elapsedMs: number;
  /** Send → answer: the commit latency the client saw. */
  readonly latencyMs: LatencySummary;
  /** Scheduled time → answer: includes any client lateness (no coordinated omission). */
  readonly latencyFromScheduleMs: LatencySummary;
  /** How far each send was behind its schedule. */
  readonly latenessMs: LatencySummary;
  /** Sends more than LATE_MS behind schedule. */
  readonly lateSends: number;
  readonly maxInFlight: number;
  readonly interrupted: boolean;
}

export interface OpenLoopSpec {
  readonly origin: URL;
  readonly token: string;
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly next: (n: number) => Command;
  readonly tracker: LagTracker;
  readonly live: LiveCounts;
  /** Called once, when the first measured command is due. */
  readonly onMeasureStart?: () => void;
  readonly signal: AbortSignal;
}

/**
 * Open loop: command n is due at start + n/rate and is sent when due whatever happened to the
 * earlier ones (no waiting for answers), so a slow service meets a growing queue, as it would
 * in production, instead of a politely slowing client. A timer wakes at each due time; if the
 * event loop was late, every overdue command is sent at once and the lateness is recorded.
 */
export async function runOpenLoop(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const { rate, live, tracker, signal } = spec;
  const interval = 1000 / rate;
  const warmupCount = Math.floor((spec.warmupMs * rate) / 1000);
  const total = warmupCount + Math.floor((spec.durationMs * rate) / 1000);
  const client = new HttpClient(spec.origin, spec.token, SOCKETS);
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  const lateness: number[] = [];
  const byStatus: Record<string, number> = {};
  const errorSamples: Record<string, string> = {};
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let lateSends = 0;
  let maxInFlight = 0;
  let firstMeasuredSend = Number.NaN;
  let lastMeasuredAnswer = Number.NaN;

  const fire = (n: number, scheduledAt: number) => {
    const command = spec.next(n);
    const measured = n >= warmupCount;
    const sentAt = performance.now();
    live.sent += 1;
    live.inFlight += 1;
    maxInFlight = Math.max(maxInFlight, live.inFlight);
    if (sentAt - scheduledAt > LATE_MS) live.late += 1;
    if (measured) {
      if (sent === 0) {
        firstMeasuredSend = sentAt;
        spec.onMeasureStart?.();
      }
      sent += 1;
      lateness.push(sentAt - scheduledAt);
      if (sentAt - scheduledAt > LATE_MS) lateSends += 1;
    }
    const done = client.send(command.spec).then((reply) => {
      const answeredAt = performance.now();
      live.inFlight -= 1;
      live.answered += 1;
      const success = reply.status >= 200 && reply.status < 300;
      const version = success ? versionOf(reply) : undefined;
      if (version !== undefined) {
        live.ok += 1;
        tracker.commit({
          id: command.id,
          version,
          kind: command.kind,
          measured,
          committedAt: answeredAt,
        });
      } else {
        live.errors += 1;
      }
      if (!measured) return;
      latencies.push(answeredAt - sentAt);
      fromSchedule.push(answeredAt - scheduledAt);
      lastMeasuredAnswer = answeredAt;
      if (version !== undefined) {
        ok += 1;
        return;
      }
      errors += 1;
      const key = success ? `${reply.status} without a version` : String(reply.status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      errorSamples[key] ??= reply.body.slice(0, 500);
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  let n = 0;
  const start = performance.now();
  try {
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (n < total && !signal.aborted && start + n * interval <= now) {
          fire(n, start + n * interval);
          n += 1;
        }
        if (n >= total || signal.aborted) {
          resolve();
          return;
        }
        setTimeout(tick, Math.max(0, start + n * interval - performance.now()));
      };
      tick();
    });
    await Promise.all([...inFlight]);
  } finally {
    client.close();
  }
  const elapsedMs = lastMeasuredAnswer - firstMeasuredSend;
  return {
    rate,
    scheduled: Math.max(0, Math.min(n, total) - warmupCount),
    sent,
    ok,
    errors,
    byStatus,
    errorSamples,
    warmupSent: Math.min(n, warmupCount),
    commandsPerSecond: elapsedMs > 0 ? (ok / elapsedMs) * 1000 : Number.NaN,
    elapsedMs,
    latencyMs: summarize(latencies),
    latencyFromScheduleMs: summarize(fromSchedule),
    latenessMs: summarize(lateness),
    lateSends,
    maxInFlight,
    interrupted: signal.aborted,
  };
}
