/** Cumulative bucket counts of one Prometheus histogram series, by upper bound (seconds). */
export type Buckets = ReadonlyMap<number, number>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/;

function labels(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of raw.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    const [, key, value] = match;
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The buckets of `aisle_projection_lag_seconds` for one projection, from a /metrics page: the
 * projector's own figure of event time (the command's updatedAt) → projection applied (for
 * search, the bulk write acknowledged; not yet searchable).
 */
export function projectionLagBuckets(page: string, projection: string): Buckets {
  const buckets = new Map<number, number>();
  for (const line of page.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match?.[1] !== 'aisle_projection_lag_seconds_bucket') continue;
    const l = labels(match[2] ?? '');
    if (l.projection !== projection || l.le === undefined) continue;
    const le = l.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(l.le);
    buckets.set(le, Number(match[3]));
  }
  return buckets;
}

export interface BucketSummary {
  /** Events applied between the two scrapes. */
  readonly count: number;
  /** Upper bounds of the buckets holding p50, p90, p99 (seconds; Infinity past the last). */
  readonly p50AtMostS: number;
  readonly p90AtMostS: number;
  readonly p99AtMostS: number;
}

/** What was observed between two scrapes, as bucket-bound percentiles. */
export function bucketDelta(before: Buckets, after: Buckets): BucketSummary {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((le) => [le, (after.get(le) ?? 0) - (before.get(le) ?? 0)] as const);
  const count = delta[delta.length - 1]?.[1] ?? 0;
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    return delta.find(([, n]) => n >= rank)?.[0] ?? Number.NaN;
  };
  return { count, p50AtMostS: at(50), p90AtMostS: at(90), p99AtMostS: at(99) };
}
