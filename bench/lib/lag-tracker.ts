import { summarize, type LatencySummary } from './stats.js';

export const readModels = ['search', 'detail', 'analytics'] as const;
export type ReadModel = (typeof readModels)[number];

/** One committed command: a new version of one product. Times are performance.now() ms. */
export interface Change {
  readonly id: string;
  readonly version: number;
  readonly kind: string;
  /** Counted in the figures (false: pool creation and warm-up). */
  readonly measured: boolean;
  /** When the 2xx answer arrived: the latest the commit can have happened. */
  readonly committedAt: number;
  /** First time each read model showed this version or a later one. */
  readonly seenAt: Record<ReadModel, number | undefined>;
}

/** The first time a read model showed a version at least this high, per product. */
interface Step {
  readonly version: number;
  readonly at: number;
}

interface ProductState {
  readonly changes: Change[];
  readonly steps: Record<ReadModel, Step[]>;
}

export interface LagSummary {
  /** Measured changes (committed in the measured window). */
  readonly changes: number;
  readonly observed: number;
  /** Never visible before the final deadline. */
  readonly neverObserved: number;
  /** Seen before the bench had the 2xx answer (a negative lag, counted as it is). */
  readonly observedBeforeAnswer: number;
  /** Commit (2xx answer) → first observation, over the observed changes. */
  readonly lagMs: LatencySummary;
}

export interface TimelineSlice {
  /** Start of the slice, seconds after the first measured send. */
  readonly fromS: number;
  readonly changes: number;
  readonly neverObserved: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Which versions were committed and when each read model first showed them. A read model can
 * skip a version (a later event of the same product overtook it and the older one was dropped
 * as stale), so "version v is visible" means the read model shows v or any later version: the
 * change is then reflected, directly or through its successor.
 */
export class LagTracker {
  private readonly products = new Map<string, ProductState>();
  private readonly pending: Record<ReadModel, Map<string, number>> = {
    search: new Map(),
    detail: new Map(),
    analytics: new Map(),
  };

  private state(id: string): ProductState {
    let state = this.products.get(id);
    if (state === undefined) {
      state = { changes: [], steps: { search: [], detail: [], analytics: [] } };
      this.products.set(id, state);
    }
    return state;
  }

  /** Records a committed change; a read model may already show it (its event overtook the answer). */
  commit(change: Omit<Change, 'seenAt'>): void {
    const state = this.state(change.id);
    const seenAt = { search: undefined, detail: undefined, analytics: undefined } as Record<
      ReadModel,
      number | undefined
    >;
    const full: Change = { ...change, seenAt };
    state.changes.push(full);
    for (const model of readModels) {
      const step = state.steps[model].find((s) => s.version >= change.version);
      if (step === undefined) {
        const map = this.pending[model];
        map.set(change.id, (map.get(change.id) ?? 0) + 1);
      } else {
        seenAt[model] = step.at;
      }
    }
  }

  /**
   * The read model shows `version` of product `id` at time `at` (or showed it by then). Kept
   * even when no change of that product is known yet: an event can reach the bench before the
   * 2xx answer of its command does.
   */
  observe(model: ReadModel, id: string, version: number, at: number): void {
    const state = this.state(id);
    const steps = state.steps[model];
    const last = steps[steps.length - 1];
    if (last !== undefined && last.version >= version) return;
    steps.push({ version, at });
    const map = this.pending[model];
    let left = map.get(id) ?? 0;
    for (const change of state.changes) {
      if (change.seenAt[model] === undefined && change.version <= version) {
        change.seenAt[model] = at;
        left -= 1;
      }
    }
    if (left > 0) map.set(id, left);
    else map.delete(id);
  }

  /** Products with at least one committed change the read model does not show yet. */
  pendingProducts(model: ReadModel): string[] {
    return [...this.pending[model].keys()];
  }

  pendingCount(model: ReadModel): number {
    let n = 0;
    for (const count of this.pending[model].values()) n += count;
    return n;
  }

  /** Products a read model showed but the bench never committed (none expected: fresh namespace). */
  unknownProducts(): number {
    let n = 0;
    for (const state of this.products.values()) if (state.changes.length === 0) n += 1;
    return n;
  }

  allSeen(): boolean {
    return readModels.every((model) => this.pending[model].size === 0);
  }

  /**
   * The measured changes in consecutive slices of commit time (from `origin`, `sliceMs` long),
   * each with its own lag figures: a lag that grows slice after slice means the read model did
   * not keep up with the rate, and the overall percentiles then depend on the run's length.
   */
  timeline(model: ReadModel, origin: number, sliceMs: number): TimelineSlice[] {
    const slices: { lags: number[]; changes: number }[] = [];
    for (const state of this.products.values()) {
      for (const change of state.changes) {
        if (!change.measured) continue;
        const index = Math.max(0, Math.floor((change.committedAt - origin) / sliceMs));
        while (slices.length <= index) slices.push({ lags: [], changes: 0 });
        const slice = slices[index];
        if (slice === undefined) continue;
        slice.changes += 1;
        const seen = change.seenAt[model];
        if (seen !== undefined) slice.lags.push(seen - change.committedAt);
      }
    }
    return slices.map((slice, i) => {
      const lag = summarize(slice.lags);
      return {
        fromS: (i * sliceMs) / 1000,
        changes: slice.changes,
        neverObserved: slice.changes - slice.lags.length,
        p50: lag.p50,
        p99: lag.p99,
        max: lag.max,
      };
    });
  }

  /** Lag figures over the changes `include` selects (default: the measured ones). */
  summary(model: ReadModel, include: (c: Change) => boolean = (c) => c.measured): LagSummary {
    const lags: number[] = [];
    let changes = 0;
    let early = 0;
    for (const state of this.products.values()) {
      for (const change of state.changes) {
        if (!include(change)) continue;
        changes += 1;
        const seen = change.seenAt[model];
        if (seen === undefined) continue;
        const lag = seen - change.committedAt;
        if (lag < 0) early += 1;
        lags.push(lag);
      }
    }
    return {
      changes,
      observed: lags.length,
      neverObserved: changes - lags.length,
      observedBeforeAnswer: early,
      lagMs: summarize(lags),
    };
  }
}
