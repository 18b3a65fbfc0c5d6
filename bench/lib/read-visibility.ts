/**
 * Commit → visible lag of the mixed scenario's writes, the pure part: which acknowledged writes
 * each read model does not show yet, when it first showed them, which ones it never showed before
 * the deadline, and the figures over all of them. No I/O here: read-visibility-probe.ts polls the
 * stores and feeds what it sees to this tracker.
 */
import { percentile, summarize, type LatencySummary } from './stats.js';

/** The read models the storefront reads in the mixed scenario. */
export const visibilityModels = ['detail', 'search'] as const;
export type VisibilityModel = (typeof visibilityModels)[number];

/** One acknowledged write. Times are performance.now() ms. */
export interface Acknowledgement {
  readonly id: string;
  /** The product version the admin API answered with (X-Aisle-Version). */
  readonly version: number;
  /** When the 2xx answer arrived: the latest the commit can have happened. */
  readonly at: number;
}

interface Tracked extends Acknowledgement {
  /** First observation of this version (or a later one) per read model. */
  readonly seenAt: Partial<Record<VisibilityModel, number>>;
  /** Not seen by at + deadline: counted as never seen in that read model. */
  readonly expired: Set<VisibilityModel>;
}

export interface VisibilityFigures {
  /** Writes followed in this read model (acknowledged, with a version, while there was room). */
  readonly writes: number;
  readonly seen: number;
  /** Not visible within the deadline after their acknowledgement. */
  readonly neverSeen: number;
  /** Neither seen nor past the deadline when the observation stopped (an interrupted drain). */
  readonly unresolved: number;
  /**
   * Nearest-rank percentiles over seen + never seen, a never-seen write ranking above every seen
   * one: null means that rank falls on a write never seen (the lag is beyond the deadline).
   */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** Lag of the seen writes alone (ms). */
  readonly seenLagMs: LatencySummary;
  /**
   * Per seen write, how long the window was in which it became visible: from its answer, or from
   * the start of the last poll that did not show it if later, to the answer of the poll that
   * did. Each lag overstates the true one by less than this (the measurement's resolution).
   */
  readonly resolutionMs: LatencySummary;
}

export interface VisibilitySummary {
  readonly deadlineMs: number;
  readonly maxOutstanding: number;
  /** 2xx writes of the measured window handed to the tracker. */
  readonly acknowledged: number;
  /** Acknowledged while maxOutstanding writes were already waiting: not followed, not in figures. */
  readonly untracked: number;
  readonly byModel: Record<VisibilityModel, VisibilityFigures>;
}

/**
 * Nearest-rank percentiles of `seen` lags with `never` more writes ranking above all of them.
 * Kept separate so the rule (a never-seen write is not dropped, it is the slowest) is tested alone.
 */
export function lagPercentiles(
  seen: readonly number[],
  never: number,
): Pick<VisibilityFigures, 'p50' | 'p95' | 'p99' | 'max'> {
  const all = Float64Array.from([...seen, ...Array<number>(never).fill(Number.POSITIVE_INFINITY)]);
  all.sort();
  const at = (p: number): number | null => {
    const v = percentile(all, p);
    return Number.isFinite(v) ? v : Number.isNaN(v) ? Number.NaN : null;
  };
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/**
 * A read model can skip a version (a later event of the same product overtook it and the older
 * one was dropped as stale), so "version v is visible" means the model shows v or any later
 * version of the product: the write is then reflected, directly or through its successor.
 */
export class VisibilityTracker {
  private readonly outstanding: Tracked[] = [];
  private readonly lags: Record<VisibilityModel, number[]> = { detail: [], search: [] };
  private readonly windows: Record<VisibilityModel, number[]> = { detail: [], search: [] };
  private readonly never: Record<VisibilityModel, number> = { detail: 0, search: 0 };
  private acknowledged = 0;
  private untracked = 0;

  constructor(
    readonly deadlineMs: number,
    readonly maxOutstanding: number,
  ) {}

  /** Follows a write; false (counted as untracked) when maxOutstanding are already waiting. */
  acknowledge(ack: Acknowledgement): boolean {
    this.acknowledged += 1;
    if (this.outstanding.length >= this.maxOutstanding) {
      this.untracked += 1;
      return false;
    }
    this.outstanding.push({ ...ack, seenAt: {}, expired: new Set() });
    return true;
  }

  /** Products with a write this read model has neither shown nor given up on: what to poll. */
  pending(model: VisibilityModel): string[] {
    const ids = new Set<string>();
    for (const w of this.outstanding) if (this.waiting(w, model)) ids.add(w.id);
    return [...ids];
  }

  /**
   * The read model shows `version` of product `id` at time `at` (an answer's arrival). `since`:
   * when the previous poll of this read model, which asked for every pending product and did not
   * show this version, started (undefined: no such poll).
   */
  observe(model: VisibilityModel, id: string, version: number, at: number, since?: number): void {
    for (const w of this.outstanding) {
      if (w.id === id && w.version <= version && this.waiting(w, model)) {
        w.seenAt[model] = at;
        this.lags[model].push(at - w.at);
        this.windows[model].push(at - Math.max(w.at, since ?? w.at));
      }
    }
    this.settle();
  }

  /** Writes not seen by their acknowledgement + deadline become never seen in that read model. */
  expire(now: number): void {
    for (const w of this.outstanding) {
      if (now - w.at < this.deadlineMs) continue;
      for (const model of visibilityModels) {
        if (this.waiting(w, model)) {
          w.expired.add(model);
          this.never[model] += 1;
        }
      }
    }
    this.settle();
  }

  /** Writes still waiting for some read model. */
  outstandingCount(): number {
    return this.outstanding.length;
  }

  /** When the last outstanding write reaches its deadline (undefined: none outstanding). */
  lastDeadline(): number | undefined {
    let last: number | undefined;
    for (const w of this.outstanding) last = Math.max(last ?? 0, w.at + this.deadlineMs);
    return last;
  }

  summary(): VisibilitySummary {
    const figures = (model: VisibilityModel): VisibilityFigures => {
      const seen = this.lags[model];
      const never = this.never[model];
      return {
        writes: this.acknowledged - this.untracked,
        seen: seen.length,
        neverSeen: never,
        unresolved: this.outstanding.filter((w) => this.waiting(w, model)).length,
        ...lagPercentiles(seen, never),
        seenLagMs: summarize(seen),
        resolutionMs: summarize(this.windows[model]),
      };
    };
    return {
      deadlineMs: this.deadlineMs,
      maxOutstanding: this.maxOutstanding,
      acknowledged: this.acknowledged,
      untracked: this.untracked,
      byModel: { detail: figures('detail'), search: figures('search') },
    };
  }

  private waiting(w: Tracked, model: VisibilityModel): boolean {
    return w.seenAt[model] === undefined && !w.expired.has(model);
  }

  /** Drops the writes every read model has seen or given up on. */
  private settle(): void {
    for (let i = this.outstanding.length - 1; i >= 0; i -= 1) {
      const w = this.outstanding[i];
      if (w !== undefined && visibilityModels.every((m) => !this.waiting(w, m))) {
        this.outstanding.splice(i, 1);
      }
    }
  }
}
