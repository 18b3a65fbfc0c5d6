/**
 * `aisle verify [--repair] [--projection …] [--json]`: parses the arguments, opens the stores of
 * the read models asked for, runs the scan (shared/read-models/verify.ts) and prints its report.
 */
import { parseArgs } from 'node:util';
import {
  count,
  duration,
  oneOrAllOption,
  positiveInteger,
  type Output,
} from '../../../shared/cli/output.js';
import type { Config } from '../../../shared/config/index.js';
import { productIndexNames } from '../../../shared/read-models/search/index-setup.js';
import {
  driftKinds,
  driftTotal,
  readModelNames,
  scanForDrift,
  type DriftKind,
  type ReadModelName,
  type VerifyOptions,
  type VerifyReport,
  type VerifyStores,
} from '../../../shared/read-models/verify.js';
import { openClickHouse } from '../../../shared/stores/clickhouse.js';
import { clickhouseOptions, postgresFromConfig } from '../../../shared/stores/open.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import type { StoreHandle } from '../../../shared/stores/store.js';

export { uuidLiteral } from '../../../shared/stores/clickhouse-sql.js';
export type {
  DriftKind,
  VerifyOptions,
  VerifyReport,
  VerifyStores,
} from '../../../shared/read-models/verify.js';

export interface VerifyCliOptions extends VerifyOptions {
  readonly json?: boolean;
}

const driftLabels: Record<DriftKind, string> = {
  missing: 'missing',
  stale: 'stale',
  ahead: 'ahead',
  mismatch: 'content mismatch',
  orphan: 'orphan (no such product in Postgres)',
};

/** Merchandising's findings are rules (and the synonym set), not products. */
const driftLabel = (kind: DriftKind, model: ReadModelName): string =>
  kind === 'orphan' && model === 'merchandising'
    ? 'orphan (no such rule or synonym set in Postgres)'
    : driftLabels[kind];

export function parseVerifyArgs(args: readonly string[]): VerifyCliOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      repair: { type: 'boolean', default: false },
      projection: { type: 'string' },
      json: { type: 'boolean', default: false },
      'page-size': { type: 'string' },
    },
  });
  return {
    projections: oneOrAllOption(values.projection, readModelNames),
    repair: values.repair,
    json: values.json,
    pageSize: positiveInteger('page-size', values['page-size'], 500),
  };
}

/** A progress line at most once a second, and the last one always. */
function progressPrinter(out: Output) {
  const started = Date.now();
  let lastProgress = 0;
  let lastShown = -1;
  return (checked: number, total: number, final: boolean) => {
    const now = Date.now();
    if (final ? lastShown === checked : now - lastProgress < 1_000) return;
    lastProgress = now;
    lastShown = checked;
    const rate = checked / Math.max((now - started) / 1000, 0.001);
    const percent = total === 0 ? 100 : Math.min(100, Math.floor((checked / total) * 100));
    out.progress(
      `verify: ${count(checked)} / ${count(total)} products (${percent}%), ${count(Math.round(rate))}/s`,
    );
  };
}

/** Scans, prints the report and returns it. */
export async function verify(
  stores: VerifyStores,
  options: VerifyCliOptions,
  out: Output,
): Promise<VerifyReport> {
  const report = await scanForDrift(stores, options, progressPrinter(out));
  printVerifyReport(report, options, out);
  return report;
}

export function printVerifyReport(
  report: VerifyReport,
  options: VerifyCliOptions,
  out: Output,
): void {
  if (options.json === true) {
    out.line(JSON.stringify(report, null, 2));
    return;
  }
  const rate = Math.round(report.checked / Math.max(report.seconds, 0.001));
  out.line(
    `verified ${count(report.checked)} products in ${duration(report.seconds * 1000)} (${count(rate)}/s)`,
  );
  const width = Math.max(...options.projections.map((p) => p.length));
  for (const projection of options.projections) {
    const d = report.projections[projection];
    if (d === undefined) continue;
    if (driftTotal(d) === 0) {
      out.line(`${projection.padEnd(width)}  in sync`);
      continue;
    }
    out.line(
      `${projection.padEnd(width)}  drift: ${driftKinds
        .filter((k) => k !== 'orphan' || d.counts.orphan > 0)
        .map((k) => `${count(d.counts[k])} ${driftLabel(k, projection)}`)
        .join(', ')}`,
    );
    for (const kind of driftKinds) {
      if (d.counts[kind] === 0) continue;
      const more = d.counts[kind] > d.examples[kind].length ? ', …' : '';
      out.line(`  ${driftLabel(kind, projection)}: ${d.examples[kind].join(', ')}${more}`);
    }
    if (report.repair) {
      out.line(`  repaired ${count(d.repaired)} of ${count(d.repaired + d.unrepaired)}`);
      if (d.unrepaired > 0) {
        out.line(
          `  ${count(d.unrepaired)} left: the read model holds an equal or newer version` +
            (projection === 'search' ? ' (rebuild the index to rewrite it)' : ''),
        );
      }
      for (const error of d.errors) out.line(`  repair error: ${error}`);
    }
  }
  if (!report.drift) {
    out.line('no drift');
    return;
  }
  const drifted = options.projections.filter((p) => {
    const d = report.projections[p];
    return d !== undefined && driftTotal(d) > 0;
  });
  out.line(
    `drift in ${drifted.join(', ')}${report.repair ? ' (repair attempted: re-run verify)' : ''}`,
  );
  if (report.unpublishedAtEnd > 0) {
    out.line(
      `note: ${count(report.unpublishedAtEnd)} outbox events were still unpublished; ` +
        'changes in flight show as stale (see aisle status)',
    );
  }
}

/** The CLI entry: opens Postgres and the stores of the projections to verify. */
export async function runVerify(
  config: Config,
  options: VerifyCliOptions,
  out: Output,
): Promise<VerifyReport> {
  const wanted = new Set(options.projections);
  const handles: StoreHandle<unknown>[] = [];
  const open = <T>(handle: StoreHandle<T>): T => {
    handles.push(handle);
    return handle.client;
  };
  try {
    const stores: VerifyStores = {
      pool: open(postgresFromConfig(config, 'aisle-verify')),
      redisKeyPrefix: config.redisKeyPrefix,
      searchAlias: productIndexNames(config.searchIndexPrefix).alias,
      ...(wanted.has('search') ? { search: open(openSearch(config)) } : {}),
      ...(wanted.has('detail') || wanted.has('merchandising')
        ? { redis: open(openRedis(config.redisUrl)) }
        : {}),
      ...(wanted.has('analytics')
        ? { clickhouse: open(openClickHouse(clickhouseOptions(config))) }
        : {}),
    };
    return await verify(stores, options, out);
  } finally {
    await Promise.allSettled(handles.map((h) => h.close()));
  }
}
