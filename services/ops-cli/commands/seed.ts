/**
 * `aisle seed --products N`: a realistic demo catalog created through the admin API. This file
 * parses the command line and prints the summary; the seeding itself (category tree, NDJSON
 * import, following it) is shared/write-model/seed/seed.ts, which bench:read runs as well.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../../shared/config/index.js';
import { processOutput, type Output } from '../../../shared/cli/output.js';
import { formatCount, formatDuration } from '../../../shared/cli/progress.js';
import {
  DEFAULT_SEED_TIMEOUT_SECONDS,
  megabytes,
  seedCatalog,
  type SeedOptions,
  type SeedReport,
} from '../../../shared/write-model/seed/seed.js';
import { DEFAULT_PUBLISHED_RATIO, MAX_SEED } from '../../../shared/write-model/seed/seed-data.js';
import { DEFAULT_VARIANT_SHARE } from '../../../shared/write-model/seed/seed-variants.js';

export const seedHelp = `seed --products N [--url http://127.0.0.1:3001] [--seed 42] [--published-ratio 0.9] [--variant-share ${DEFAULT_VARIANT_SHARE}] [--timeout 3600]: create a demo catalog (category tree + N products, a share of them in 5-20 variants: apparel in colors x sizes, shoes in sizes) through the admin API (token: first of ADMIN_TOKENS)`;

/** Parses the command line; throws a usage message on anything invalid. */
export function parseSeedArgs(
  args: readonly string[],
  defaults: { readonly baseUrl: string; readonly token: string | undefined },
): SeedOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      products: { type: 'string' },
      url: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'published-ratio': { type: 'string', default: String(DEFAULT_PUBLISHED_RATIO) },
      'variant-share': { type: 'string', default: String(DEFAULT_VARIANT_SHARE) },
      timeout: { type: 'string', default: String(DEFAULT_SEED_TIMEOUT_SECONDS) },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  if (values.products === undefined) throw new Error('usage: aisle seed --products N [options]');
  const products = Number(values.products);
  if (!Number.isSafeInteger(products) || products < 1) {
    throw new Error('--products must be a positive integer');
  }
  const seed = Number(values.seed);
  if (values.seed.trim() === '' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`--seed must be an integer from 0 to ${MAX_SEED}`);
  }
  const ratio = values['published-ratio'];
  const publishedRatio = Number(ratio);
  if (ratio.trim() === '' || !(publishedRatio >= 0 && publishedRatio <= 1)) {
    throw new Error('--published-ratio must be a number from 0 to 1');
  }
  const share = values['variant-share'];
  const variantShare = Number(share);
  if (share.trim() === '' || !(variantShare >= 0 && variantShare <= 1)) {
    throw new Error('--variant-share must be a number from 0 to 1');
  }
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error('--timeout must be a number of seconds');
  const baseUrl = values.url ?? defaults.baseUrl;
  try {
    new URL(baseUrl);
  } catch {
    throw new Error(`--url is not a URL: ${baseUrl}`);
  }
  if (defaults.token === undefined) throw new Error('set ADMIN_TOKENS; its first token is used');
  return {
    baseUrl,
    token: defaults.token,
    products,
    seed,
    publishedRatio,
    variantShare,
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** `aisle seed …` as registered in main.ts. */
export async function seedCommand(config: Config, args: readonly string[]): Promise<void> {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const options = parseSeedArgs(args, {
    baseUrl: `http://${host}:${config.catalogWritePort}`,
    token: config.adminTokens?.[0],
  });
  const output = processOutput();
  const report = await seedCatalog(options, { output });
  printSummary(report, output);
  if (report.state === 'failed' || report.otherRejections.length > 0) process.exitCode = 1;
}

/** The operator's summary of a run. */
export function printSummary(report: SeedReport, output: Output): void {
  const c = report.categories;
  const p = report.phasesMs;
  output.line(`seed ${report.seed} -> ${report.baseUrl}`);
  output.line(
    `  categories  ${formatCount(c.total)} in ${c.levels} levels, ${c.leaves} leaves (${formatCount(c.created)} created, ${formatCount(c.existing)} already there)`,
  );
  if (c.namespaced.length > 0) {
    const shown = c.namespaced.slice(0, 5).map((n) => `${n.path} as ${n.slug}`);
    const more = c.namespaced.length > shown.length ? `, … ${c.namespaced.length - 5} more` : '';
    output.line(
      `  namespaced  ${formatCount(c.namespaced.length)} whose slug a category seed did not create holds: ${shown.join(', ')}${more}`,
    );
  }
  output.line(
    `  products    ${formatCount(report.accepted)} accepted, ${formatCount(report.rejected)} rejected (import ${report.importId} ${report.state})`,
  );
  output.line(
    `  sent        ${formatCount(report.sent.lines)} lines, ${megabytes(report.sent.bytes)}; ${formatCount(report.sent.withVariants)} products with ${formatCount(report.sent.variants)} variants`,
  );
  output.line(
    `  duration    ${formatDuration(report.durationMs)} (categories ${formatDuration(p.categories)}, upload ${formatDuration(p.upload)}, import ${formatDuration(p.import)})`,
  );
  const linesPerSecond = report.sent.lines / Math.max(report.durationMs / 1000, 0.001);
  output.line(
    `  rate        ${formatCount(report.productsPerSecond)} products/s created (${formatCount(linesPerSecond)} lines/s sent and processed)`,
  );
  if (report.duplicates > 0) {
    const which =
      report.duplicates === report.rejected
        ? `all ${formatCount(report.rejected)} rejected lines are`
        : report.duplicates === report.rejectionsListed
          ? `the ${formatCount(report.duplicates)} rejected lines the server lists (of ${formatCount(report.rejected)}) are all`
          : `${formatCount(report.duplicates)} of the ${formatCount(report.rejectionsListed)} rejected lines listed are`;
    output.line(
      `  note        ${which} products seed ${report.seed} created before (same ids and SKUs): nothing was duplicated; use another --seed to add more products`,
    );
  }
  if (report.error !== undefined) output.line(`  error       ${report.error}`);
  const shown = report.otherRejections.slice(0, 10);
  if (shown.length > 0) {
    output.line('other rejections:');
    for (const r of shown) output.line(`  line ${r.line}: ${r.reason}`);
  }
}
