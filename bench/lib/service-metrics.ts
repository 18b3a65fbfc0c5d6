/** Cumulative bucket counts of one Prometheus histogram series, by upper bound (seconds). */
export type Buckets = ReadonlyMap<number, number>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/;

const PLAIN = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(\S+)/;

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

/** The sum of a counter's series on a /metrics page whose labels include `match`. */
export function counterSum(
  page: string,
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    const labelled = SAMPLE.exec(line);
    const plain = labelled === null ? PLAIN.exec(line) : null;
    const metric = labelled?.[1] ?? plain?.[1];
    if (metric !== name) continue;
    const l = labels(labelled?.[2] ?? '');
    if (Object.entries(match).every(([k, v]) => l[k] === v)) {
      sum += Number(labelled?.[3] ?? plain?.[2]);
    }
  }
  return sum;
}

/** What catalog-read's search answer cache did between two scrapes of its /metrics. */
export interface SearchCacheUse {
  /** Rendered answers served from the cache ÷ cache lookups (minVersion reads excluded). */
  readonly hitShare: number;
  /** Searches that waited for an identical search in progress. */
  readonly shared: number;
  /** Engine requests for /v1/search in the interval. */
  readonly engineRequests: number;
  /** What the cache held at the end: bytes (as it counts them) and entries. */
  readonly bytes: number;
  readonly entries: number;
}

export function searchCacheUse(before: string, after: string): SearchCacheUse {
  const delta = (name: string, match: Record<string, string> = {}) =>
    counterSum(after, name, match) - counterSum(before, name, match);
  const lookups = 'aisle_search_cache_lookups_total';
  const hits = delta(lookups, { part: 'response', outcome: 'hit' });
  const misses = delta(lookups, { part: 'response', outcome: 'miss' });
  return {
    hitShare: hits + misses === 0 ? 0 : hits / (hits + misses),
    shared: delta('aisle_search_shared_answers_total'),
    engineRequests: delta('aisle_search_engine_requests_total'),
    bytes: counterSum(after, 'aisle_search_cache_bytes'),
    entries: counterSum(after, 'aisle_search_cache_entries'),
  };
}
