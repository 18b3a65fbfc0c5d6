import { readFile } from 'node:fs/promises';
import type { Config } from '../../config/index.js';
import { projectPath } from '../../paths.js';
import type { Redis } from '../../stores/redis.js';
import type { IndexTemplate, SearchEngine } from '../../stores/search/engine.js';
import { searchKeys } from './keys.js';

export interface ProductIndexNames {
  /** What readers and writers use; it always points at exactly one index. */
  readonly alias: string;
  readonly template: string;
  readonly pattern: string;
  /** The index for generation n, e.g. aisle-products-000001. */
  indexFor(generation: number): string;
}

export function productIndexNames(prefix: string): ProductIndexNames {
  const base = `${prefix}-products`;
  return {
    alias: base,
    template: base,
    pattern: `${base}-*`,
    indexFor: (generation) => `${base}-${String(generation).padStart(6, '0')}`,
  };
}

/** Indices a rebuild adds to the write targets while it fills a new index (see `aisle rebuild`). */
export const extraSearchTargetsKey = searchKeys.extraTargets;

/**
 * Where the search projection writes: the alias, plus during a rebuild the index being filled,
 * so no live update is lost while it fills.
 */
export function searchWriteTargets(
  redis: Redis,
  config: Pick<Config, 'searchIndexPrefix' | 'redisKeyPrefix'>,
): () => Promise<readonly string[]> {
  const alias = productIndexNames(config.searchIndexPrefix).alias;
  const extraKey = extraSearchTargetsKey(config.redisKeyPrefix);
  return async () => [alias, ...(await redis.smembers(extraKey))];
}

export async function loadProductTemplate(pattern: string): Promise<IndexTemplate> {
  const raw = await readFile(
    projectPath('shared', 'read-models', 'search', 'products.template.json'),
    'utf8',
  );
  const body = JSON.parse(raw) as IndexTemplate['template'];
  return { index_patterns: [pattern], priority: 100, template: body };
}

export interface SearchBootstrapReport {
  readonly alias: string;
  readonly index: string;
  readonly created: boolean;
}

/**
 * Idempotent and safe to run from several instances at once: the template is overwritten
 * with the same body, the first index is created once, and adding an alias twice is a no-op.
 */
export async function bootstrapSearch(
  engine: SearchEngine,
  prefix: string,
): Promise<SearchBootstrapReport> {
  const names = productIndexNames(prefix);
  await engine.putIndexTemplate(names.template, await loadProductTemplate(names.pattern));
  const targets = await engine.aliasTargets(names.alias);
  if (targets[0] !== undefined) return { alias: names.alias, index: targets[0], created: false };
  const index = names.indexFor(1);
  const outcome = await engine.createIndex(index);
  await engine.updateAliases([{ add: { index, alias: names.alias } }]);
  return { alias: names.alias, index, created: outcome === 'created' };
}
