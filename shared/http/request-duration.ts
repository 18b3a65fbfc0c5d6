/** Upper bounds, in seconds, of the request latency buckets (the +Inf bucket is implicit). */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

type RequestLabels = { method: string; route: string; status_code: string };

/** One sample as prom-client's registry reads it from a metric. */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  /** The series' labels apart from `labels` (the text export only, as prom-client does). */
  readonly sharedLabels?: RequestLabels;
  readonly value: number;
}

/** A metric as prom-client's registry exports it (what its get() resolves to). */
interface ExportedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  readonly values: Sample[];
}

interface Series {
  readonly labels: RequestLabels;
  /** Observations per bucket (not cumulative); the last slot is the +Inf bucket. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** Index of the first bucket whose upper bound holds `value` (the +Inf slot past the last). */
function bucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > (bounds[i] as number)) i += 1;
  return i;
}

/**
 * `http_request_duration_seconds` by method, route and status: a Prometheus histogram made for
 * the one observation every request makes. prom-client's Histogram checks and hashes a label
 * object on each observe, which cost as much as a cached detail lookup; here a series is found
 * by three Map lookups on values the request already has. The registry exports it like a
 * prom-client Histogram, to the same text.
 */
export class RequestDurationHistogram {
  readonly name = 'http_request_duration_seconds';
  readonly help = 'HTTP request latency by route and status.';
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly labelNames: readonly (keyof RequestLabels)[] = ['method', 'route', 'status_code'];
  /** route → method → status code → series. */
  private series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(private readonly bounds: readonly number[] = REQUEST_DURATION_BUCKETS) {}

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    const series = this.seriesOf(method, route, statusCode);
    const slot = bucketOf(this.bounds, seconds);
    series.buckets[slot] = (series.buckets[slot] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  /**
   * The samples as prom-client's own Histogram gives them to the registry's text export: the
   * series labels apart (`sharedLabels`), so the text is the same, label order included.
   */
  getForPromString(): Promise<ExportedMetric> {
    return Promise.resolve(this.metricObject((series) => this.samplesOf(series, 'shared')));
  }

  /** The samples with every label in `labels` (the registry's JSON export). */
  get(): Promise<ExportedMetric> {
    return Promise.resolve(this.metricObject((series) => this.samplesOf(series, 'merged')));
  }

  reset(): void {
    this.series = new Map();
  }

  private metricObject(samples: (series: Series) => Sample[]): ExportedMetric {
    const values: Sample[] = [];
    for (const byMethod of this.series.values()) {
      for (const byStatus of byMethod.values()) {
        for (const series of byStatus.values()) values.push(...samples(series));
      }
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  /** Cumulative `_bucket`s with `le`, the +Inf bucket, `_sum` and `_count`. */
  private samplesOf(series: Series, form: 'shared' | 'merged'): Sample[] {
    const sample = (
      suffix: string,
      own: Record<string, string | number>,
      value: number,
    ): Sample => {
      const metricName = `${this.name}${suffix}`;
      return form === 'merged'
        ? { metricName, labels: { ...series.labels, ...own }, value }
        : { metricName, labels: own, sharedLabels: series.labels, value };
    };
    const samples: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += series.buckets[i] ?? 0;
      samples.push(sample('_bucket', { le: bound }, cumulative));
    });
    samples.push(
      sample('_bucket', { le: '+Inf' }, series.count),
      sample('_sum', {}, series.sum),
      sample('_count', {}, series.count),
    );
    return samples;
  }

  private seriesOf(method: string, route: string, statusCode: number): Series {
    let byMethod = this.series.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.series.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(statusCode);
    if (series === undefined) {
      series = {
        labels: { method, route, status_code: String(statusCode) },
        buckets: new Array<number>(this.bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byStatus.set(statusCode, series);
    }
    return series;
  }
}
