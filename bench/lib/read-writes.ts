/**
 * The writes of the mixed scenario: a loop beside autocannon that keeps writes at a fixed share
 * of the reads answered (1 per 100 by default), so their rate follows the observed read rate.
 * Each write is a price change or a stock adjustment of a random published product through the
 * admin API, answered by catalog-write and then carried by the relay and the projectors into
 * the read models the reads are hitting.
 */
import { performance } from 'node:perf_hooks';
import { PRICE_MAX_MINOR, PRICE_MIN_MINOR } from '../../shared/write-model/seed/seed-data.js';
import { HttpClient, type RequestSpec } from './http-client.js';
import { versionOf } from './open-loop.js';
import type { CatalogProduct } from './read-catalog.js';
import type { Acknowledgement } from './read-visibility.js';
import type { VisibilityReport } from './read-visibility-probe.js';
import { summarize, type LatencySummary } from './stats.js';

export type WriteKind = 'price' | 'stock';

export interface WriteFigures {
  readonly sent: number;
  readonly ok: number;
  /** 409 insufficient_stock on a stock adjustment (expected to be rare: ±1 alternating). */
  readonly conflicts: number;
  readonly errors: number;
  readonly byStatus: Record<string, number>;
  readonly latencyMs: LatencySummary;
}

export interface WriteResult {
  /** Measured window: from the measured reads' start to stop(). */
  readonly windowMs: number;
  readonly sent: number;
  readonly answered: number;
  readonly ok: number;
  readonly conflicts: number;
  readonly errors: number;
  /** 2xx writes per second of the window. */
  readonly writesPerSecond: number;
  /** Reads answered in the window, and writes sent per read answered. */
  readonly readsAnswered: number;
  readonly achievedRatio: number;
  /** Writes due but not sent because MAX_IN_FLIGHT were already waiting. */
  readonly skippedBusy: number;
  readonly latencyMs: LatencySummary;
  readonly byKind: Record<WriteKind, WriteFigures>;
  readonly errorSamples: Record<string, string>;
  /** 2xx answers of the window carrying no version (neither X-Aisle-Version nor body.version). */
  readonly withoutVersion: number;
  /** Commit → visible lag of these writes in each read model (added by the scenario). */
  readonly visibility?: VisibilityReport;
}

const MAX_IN_FLIGHT = 32;
const TICK_MS = 10;
const DRAIN_MS = 30_000;
const PRODUCTS = '/admin/v1/products';

interface Sample {
  readonly kind: WriteKind;
  readonly status: number;
  readonly ms: number;
  readonly body: string;
}

export class WriteLoop {
  private readonly client: HttpClient;
  private readonly price = new Map<string, number>();
  private readonly stockVisits = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private reads = 0;
  private due = 0;
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();
  private measuring = false;
  private measureStart = 0;
  private measuredReads = 0;
  private measuredSent = 0;
  private skipped = 0;
  private withoutVersion = 0;
  private samples: Sample[] = [];

  /** `onAcknowledged`: each 2xx write of the measured window, with its version. */
  constructor(
    origin: URL,
    token: string,
    private readonly products: readonly CatalogProduct[],
    private readonly ratio: number,
    private readonly onAcknowledged?: (ack: Acknowledgement) => void,
  ) {
    this.client = new HttpClient(origin, token, MAX_IN_FLIGHT);
    for (const p of products) this.price.set(p.id, p.priceMinor);
  }

  /** A read was answered. */
  noteRead(): void {
    this.reads += 1;
    if (this.measuring) this.measuredReads += 1;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** From now on, writes and reads count. */
  beginMeasure(): void {
    this.measuring = true;
    this.measureStart = performance.now();
    this.measuredReads = 0;
    this.measuredSent = 0;
    this.skipped = 0;
    this.withoutVersion = 0;
    this.samples = [];
  }

  private tick(): void {
    const target = Math.floor(this.reads * this.ratio);
    while (this.due < target) {
      this.due += 1;
      if (this.inFlight >= MAX_IN_FLIGHT) {
        if (this.measuring) this.skipped += 1;
        continue;
      }
      this.send();
    }
  }

  private command(p: CatalogProduct): { kind: WriteKind; spec: RequestSpec } {
    if (Math.random() < 0.5) {
      const current = this.price.get(p.id) ?? p.priceMinor;
      // ±1..5 euros, never the current amount (setting the same price is a 422).
      const step = (Math.floor(Math.random() * 5) + 1) * 100 * (Math.random() < 0.5 ? -1 : 1);
      let amount = current + step;
      if (amount < PRICE_MIN_MINOR || amount > PRICE_MAX_MINOR) amount = current - step;
      this.price.set(p.id, amount);
      return {
        kind: 'price',
        spec: {
          method: 'PUT',
          path: `${PRODUCTS}/${p.id}/price`,
          body: { amountMinor: amount, currency: 'EUR' },
        },
      };
    }
    // +1 then -1 on each visit of a product: its stock never goes below where it started.
    const visits = this.stockVisits.get(p.id) ?? 0;
    this.stockVisits.set(p.id, visits + 1);
    return {
      kind: 'stock',
      spec: {
        method: 'POST',
        path: `${PRODUCTS}/${p.id}/stock-adjustments`,
        body: {
          warehouse: p.warehouses[0] ?? 'ams-1',
          delta: visits % 2 === 0 ? 1 : -1,
          reason: 'bench:read mixed scenario',
        },
      },
    };
  }

  private send(): void {
    const product = this.products[Math.floor(Math.random() * this.products.length)];
    if (product === undefined) return;
    const { kind, spec } = this.command(product);
    const measured = this.measuring;
    if (measured) this.measuredSent += 1;
    this.inFlight += 1;
    const started = performance.now();
    const done = this.client.send(spec).then((reply) => {
      const answeredAt = performance.now();
      this.inFlight -= 1;
      if (measured && this.measuring) {
        if (reply.status >= 200 && reply.status < 300) {
          const version = versionOf(reply);
          if (version === undefined) this.withoutVersion += 1;
          else this.onAcknowledged?.({ id: product.id, version, at: answeredAt });
        }
        this.samples.push({
          kind,
          status: reply.status,
          ms: answeredAt - started,
          body: reply.status >= 200 && reply.status < 300 ? '' : reply.body.slice(0, 300),
        });
      }
    });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Stops sending, waits (bounded) for the writes in flight, and sums up the window. */
  async stop(): Promise<WriteResult> {
    if (this.timer !== undefined) clearInterval(this.timer);
    const windowMs = performance.now() - this.measureStart;
    const readsAnswered = this.measuredReads;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref()),
    ]);
    this.measuring = false;
    this.client.close();
    const samples = this.samples;
    const figures = (kind: WriteKind | undefined): WriteFigures => {
      const mine = samples.filter((s) => kind === undefined || s.kind === kind);
      const byStatus: Record<string, number> = {};
      for (const s of mine) byStatus[String(s.status)] = (byStatus[String(s.status)] ?? 0) + 1;
      const ok = mine.filter((s) => s.status >= 200 && s.status < 300).length;
      const conflicts = mine.filter((s) => s.kind === 'stock' && s.status === 409).length;
      return {
        sent: mine.length,
        ok,
        conflicts,
        errors: mine.length - ok - conflicts,
        byStatus,
        latencyMs: summarize(mine.map((s) => s.ms)),
      };
    };
    const all = figures(undefined);
    const errorSamples: Record<string, string> = {};
    for (const s of samples) {
      const key = s.status === 0 ? 'no answer' : String(s.status);
      if (s.body !== '' && errorSamples[key] === undefined) errorSamples[key] = s.body;
    }
    return {
      windowMs,
      sent: this.measuredSent,
      answered: samples.length,
      ok: all.ok,
      conflicts: all.conflicts,
      errors: all.errors + (this.measuredSent - samples.length),
      writesPerSecond: all.ok / (windowMs / 1000),
      readsAnswered,
      achievedRatio: readsAnswered === 0 ? Number.NaN : this.measuredSent / readsAnswered,
      skippedBusy: this.skipped,
      latencyMs: all.latencyMs,
      byKind: { price: figures('price'), stock: figures('stock') },
      errorSamples,
      withoutVersion: this.withoutVersion,
    };
  }
}
