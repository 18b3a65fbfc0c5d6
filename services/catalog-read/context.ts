import type { Config } from '../../shared/config/index.js';
import type { CategoryTreeCache } from '../../shared/read-models/detail/category-revision.js';
import type { Redis } from '../../shared/stores/redis.js';
import type { SearchEngine } from '../../shared/stores/search/engine.js';
import type { UsageRecorder } from './usage/recorder.js';

/**
 * What the storefront routes share: config, the two read models (and the category tree held from
 * one of them) and the usage recorder.
 */
export interface CatalogReadContext {
  readonly config: Config;
  readonly search: SearchEngine;
  /** The alias searches go to. */
  readonly alias: string;
  readonly redis: Redis;
  /** The category tree, rebuilt only when a category changed. */
  readonly categoryTrees: CategoryTreeCache;
  readonly usage: UsageRecorder;
}
