/**
 * `aisle rebuild search|detail|analytics|merchandising`: rebuild one read model from the Postgres
 * write model
 * while the platform keeps serving and live events keep flowing (DESIGN rule 6). Merchandising is
 * a model of its own though the detail projector applies its events: its keys, lock and checker
 * are its own, and it takes seconds where a detail rebuild re-renders every product. The progress
 * bar goes to stderr, the summary to stdout. Ctrl-C stops a search rebuild cleanly before its
 * swap (the old index keeps serving); the others stop between pages and may simply be re-run.
 */
import { parseArgs } from 'node:util';
import {
  formatCount,
  formatDuration,
  startProgress,
  type Progress,
} from '../../../shared/cli/progress.js';
import type { Config } from '../../../shared/config/index.js';
import { postgresFromConfig } from '../../../shared/stores/open.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import { rebuildAnalytics } from '../../../shared/read-models/analytics/rebuild.js';
import { rebuildDetail } from '../../../shared/read-models/detail/rebuild.js';
import { rebuildMerchandising } from '../../../shared/read-models/merchandising/rebuild.js';
import { rebuildSearch } from '../../../shared/read-models/search/rebuild.js';

const models = ['search', 'detail', 'analytics', 'merchandising'] as const;
type Model = (typeof models)[number];

const isModel = (value: string | undefined): value is Model => models.includes(value as Model);

export const rebuildHelp =
  'rebuild search|detail|analytics|merchandising [--page-size 1000] [--keep-old] [--settle-ms N]: rebuild a read model from Postgres while serving (analytics: only what the outbox retains plus snapshot baselines; see README)';

const usageText = `usage: aisle rebuild search|detail|analytics|merchandising [--page-size 1000] [--keep-old] [--settle-ms N]
  search     new index generation filled from Postgres while live events also go to it, then one
             atomic alias swap; the old index is deleted unless --keep-old. On failure before the
             swap the old index keeps serving and the new one is removed.
  detail     re-render every product and category into Redis (a newer live version is never
             overwritten), tombstones for unpublished products, orphan documents removed.
  analytics  re-insert every product event the outbox still retains, plus one ProductSnapshot
             baseline row per product whose early history was pruned. History older than the
             outbox retention cannot be recomputed from current state; existing rows are kept.
  merchandising  put the synonym set and every rule (deleted ones as tombstones) into Redis again
             (a newer live version is never overwritten), rules Postgres lacks removed; with no
             set stored in Postgres, catalog-read searches with the initial file.`;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

export async function runRebuild(config: Config, args: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'page-size': { type: 'string' },
      'keep-old': { type: 'boolean', default: false },
      'settle-ms': { type: 'string' },
    },
    allowPositionals: true,
  });
  const model = positionals[0];
  if (!isModel(model)) throw new Error(usageText);
  const pageSize = positiveInteger('page-size', values['page-size']) ?? 1_000;
  if (pageSize < 1 || pageSize > 10_000) throw new Error('--page-size must be 1 to 10000');
  const settleMs = positiveInteger('settle-ms', values['settle-ms']);

  const interrupted = new AbortController();
  const stop = (signal: NodeJS.Signals) => () =>
    interrupted.abort(new Error(`interrupted by ${signal}`));
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);

  const postgres = postgresFromConfig(config, 'aisle-rebuild');
  const redis = openRedis(config.redisUrl);
  const progress = startProgress({ label: `rebuild ${model}` });
  const common = { pageSize, progress, signal: interrupted.signal };
  const deps = { config, redis: redis.client, pool: postgres.client };
  let outcome = 'failed';
  try {
    switch (model) {
      case 'search': {
        const search = openSearch(config);
        try {
          const report = await rebuildSearch(
            { ...deps, engine: search.client },
            {
              ...common,
              keepOld: values['keep-old'],
              ...(settleMs === undefined ? {} : { settleMs }),
            },
          );
          outcome = 'done';
          const elapsed = progress.finish(outcome);
          say(`rebuild search: ${report.alias} -> ${report.index}`);
          say(
            `  previous     ${report.previousIndex} (${report.previousDeleted ? 'deleted' : 'kept'})`,
          );
          say(`  indexed      ${formatCount(report.indexed)}`);
          say(
            `  newer live   ${formatCount(report.newerLive)} (live events had written this version or a newer one)`,
          );
          summaryFooter(progress, elapsed);
          warn(report.warnings);
        } finally {
          await search.close();
        }
        break;
      }
      case 'detail': {
        const report = await rebuildDetail(deps, common);
        outcome = 'done';
        const elapsed = progress.finish(outcome);
        say('rebuild detail:');
        say(`  products     ${formatCount(report.products)}`);
        say(`  published    ${formatCount(report.published)}`);
        say(`  tombstones   ${formatCount(report.tombstones)}`);
        say(`  newer live   ${formatCount(report.newerLive)}`);
        say(`  corrupt      ${formatCount(report.replacedCorrupt)} replaced`);
        say(`  orphans      ${formatCount(report.orphansRemoved)} removed`);
        say(
          `  categories   ${formatCount(report.categories)} (${formatCount(report.categoryOrphansRemoved)} orphans removed)`,
        );
        summaryFooter(progress, elapsed);
        break;
      }
      case 'merchandising': {
        const report = await rebuildMerchandising(deps, common);
        outcome = 'done';
        const elapsed = progress.finish(outcome);
        say('rebuild merchandising:');
        say(
          `  synonyms     ${report.synonyms}${report.synonymsVersion === null ? '' : ` (version ${report.synonymsVersion})`}`,
        );
        say(`  rules        ${formatCount(report.rules)}`);
        say(`  tombstones   ${formatCount(report.tombstones)}`);
        say(`  newer live   ${formatCount(report.newerLive)}`);
        say(`  corrupt      ${formatCount(report.replacedCorrupt)} replaced`);
        say(`  orphans      ${formatCount(report.orphansRemoved)} removed`);
        summaryFooter(progress, elapsed);
        break;
      }
      case 'analytics': {
        const report = await rebuildAnalytics(deps, common);
        outcome = 'done';
        const elapsed = progress.finish(outcome);
        say('rebuild analytics:');
        say(`  events       ${formatCount(report.events)} re-inserted from the outbox`);
        say(`  baselines    ${formatCount(report.baselines)} (products with pruned history)`);
        if (report.skipped > 0) say(`  skipped      ${formatCount(report.skipped)} malformed rows`);
        summaryFooter(progress, elapsed);
        break;
      }
    }
  } finally {
    progress.finish(outcome);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await Promise.allSettled([postgres.close(), redis.close()]);
  }
}

function summaryFooter(progress: Progress, elapsedMs: number): void {
  const rate = elapsedMs > 0 ? (progress.done * 1000) / elapsedMs : 0;
  say(`  duration     ${formatDuration(elapsedMs)}, ${formatCount(rate)} items/s`);
}

function warn(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (warnings.length > 0) process.exitCode = 1;
}

export const rebuildCommand = { help: rebuildHelp, run: runRebuild };
