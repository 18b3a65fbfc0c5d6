import { createHash } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import {
  searchFacetPlan,
  searchQuery,
  type SearchBodyInput,
  type SearchPart,
} from '../../../shared/read-models/search/query/build-search-body.js';
import { exactFacetRecount } from '../../../shared/read-models/search/query/exact-facets.js';
import {
  mapFacets,
  type SearchFacets,
} from '../../../shared/read-models/search/query/facet-counts.js';
import { VISIBLE } from '../../../shared/read-models/search/query/filters.js';
import type { SearchRequest } from '../../../shared/read-models/search/query/params.js';
import type { SearchResponseBody } from '../../../shared/stores/search/engine.js';
import {
  mapHits,
  type SearchHits,
  type SearchResult,
} from '../../../shared/read-models/search/query/response.js';
import {
  needsPinnedCountFirst,
  restBody,
  type ListPosition,
} from '../../../shared/read-models/search/query/pinning.js';
import type { SearchHit } from '../../../shared/stores/search/engine.js';
import { pageWithPins } from './pinned-hits.js';
import type { ResultCache } from './result-cache.js';
import type { SearchRunner } from './run-search.js';

/**
 * The hits and the facets of a search, each cached on its own: paging, resorting or resizing
 * reuses the facets, and a request with other facets reuses the hits. Each part remembers which
 * words the typo fallback made fuzzy, so the other part is asked with the same query (and a
 * cached part never waits for the exact query again).
 */
interface HitsPart extends SearchHits {
  readonly fuzzyUnits: readonly number[];
}

interface FacetsPart {
  readonly facets: SearchFacets;
  readonly fuzzyUnits: readonly number[];
}

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/**
 * What an answer depends on beyond the request: the synonym set's version and the query rules
 * that applied (each at its version), so that a change is never hidden by a cached answer.
 */
export interface MerchandisingScope {
  readonly synonymsVersion: number;
  readonly rules: readonly { readonly id: string; readonly version: number }[];
}

const noMerchandising: MerchandisingScope = { synonymsVersion: 0, rules: [] };

/**
 * The normalized request, per part: the canonical filters as the client gave them (the category
 * id, not its descendants), the words, and what the part depends on.
 */
export function cacheKeys(
  request: SearchRequest,
  merchandising: MerchandisingScope = noMerchandising,
): { hits: string; facets: string } {
  const what = [request.words.join(' '), request.filters, merchandising];
  return {
    hits: `h:${digest([...what, request.sort, request.size, request.position])}`,
    facets: `f:${digest([...what, request.facets ?? 'all'])}`,
  };
}

/** Where the page starts, and the merchandising the answer was computed with. */
export interface AnswerScope {
  readonly position: ListPosition;
  readonly merchandising: MerchandisingScope;
}

export interface SearchAnswersOptions {
  readonly runner: SearchRunner;
  readonly cache: ResultCache;
  readonly registry: Registry;
}

export class SearchAnswers {
  private readonly lookups: Counter<'part' | 'outcome'>;

  constructor(private readonly options: SearchAnswersOptions) {
    this.lookups = new Counter({
      name: 'aisle_search_cache_lookups_total',
      help: 'Search answer cache lookups by part (hits, facets) and outcome (hit, miss, bypass: minVersion or cache off).',
      labelNames: ['part', 'outcome'] as const,
      registers: [options.registry],
    });
  }

  /**
   * The answer to `request`. `input` builds the body input (it may read the category tree), only
   * when a part is missing. A minVersion read never reads the cache (it must see the index now)
   * but stores what it found, which is as fresh as anything cached.
   */
  async answer(
    request: SearchRequest,
    cursorKey: string,
    input: () => Promise<SearchBodyInput>,
    scope: AnswerScope,
  ): Promise<SearchResult> {
    const { cache, runner } = this.options;
    const keys = cacheKeys(request, scope.merchandising);
    // Before anything is asked: the generation this answer is computed under.
    const stamp = cache.stamp();
    const bypass = request.minVersion !== undefined || !cache.enabled;
    let hits = this.lookup<HitsPart>('hits', keys.hits, bypass);
    let facets = this.lookup<FacetsPart>('facets', keys.facets, bypass);
    if (hits !== undefined && facets !== undefined) return result(hits, facets);

    const base = await input();
    const pins = hits === undefined ? await this.pinned(base, scope.position) : undefined;
    const body = pins?.body ?? base;
    const page = {
      position: scope.position,
      size: request.size,
      key: cursorKey,
      filters: request.filters,
    };
    const mapHitsOf = async (raw: SearchResponseBody, fuzzyUnits: readonly number[]) => ({
      ...(pins === undefined ? mapHits(raw, page) : pageWithPins(raw, await pins.hits, page)),
      fuzzyUnits,
    });
    if (hits === undefined && facets === undefined) {
      const answer = await runner.exactThenFuzzy(body, 'all');
      hits = await mapHitsOf(answer.raw, answer.fuzzyUnits);
      facets = await this.facetsOf(answer.raw, answer.input, answer.fuzzyUnits);
      cache.set(keys.hits, hits, stamp);
      cache.set(keys.facets, facets, stamp);
    } else if (hits === undefined) {
      const known = facets as FacetsPart;
      hits = await mapHitsOf(
        (await this.part(body, known.fuzzyUnits, 'hits')).raw,
        known.fuzzyUnits,
      );
      cache.set(keys.hits, hits, stamp);
    } else {
      const sent = await this.part(body, hits.fuzzyUnits, 'facets');
      facets = await this.facetsOf(sent.raw, sent.input, hits.fuzzyUnits);
      cache.set(keys.facets, facets, stamp);
    }
    return result(hits, facets as FacetsPart);
  }

  /**
   * With pinned products, the page's rest is asked from where this page's rest starts, which
   * depends on how many pinned products pass the filters only for a page past the first (then
   * they are asked first; otherwise both go at once).
   */
  private async pinned(
    body: SearchBodyInput,
    position: ListPosition,
  ): Promise<{ body: SearchBodyInput; hits: Promise<readonly SearchHit[]> } | undefined> {
    if ((body.pinned ?? []).length === 0) return undefined;
    const hits = this.options.runner.pinned(body);
    hits.catch(() => undefined); // awaited with the page; not an unhandled rejection meanwhile
    const count = needsPinnedCountFirst(position) ? (await hits).length : 0;
    return { body: restBody(body, position, count), hits };
  }

  private part(body: SearchBodyInput, fuzzyUnits: readonly number[], part: SearchPart) {
    return this.options.runner.send({ ...body, fuzzyUnits }, part);
  }

  /**
   * The facets of an answer, recounted exactly where variant filters made the main body's counts
   * an upper bound (exact-facets.ts): one more engine request, only then. `sent` is the input the
   * answer is for, so the recount asks the very same query.
   */
  private async facetsOf(
    raw: SearchResponseBody,
    sent: SearchBodyInput,
    fuzzyUnits: readonly number[],
  ): Promise<FacetsPart> {
    const plan = searchFacetPlan(sent);
    const facets = mapFacets(raw.aggregations, plan);
    const recount = exactFacetRecount(
      (filter) => searchQuery(sent, [VISIBLE, ...filter]),
      plan,
      raw.aggregations,
      facets,
    );
    if (recount === undefined) return { facets, fuzzyUnits };
    const counted = await this.options.runner.recount(recount.body);
    return { facets: recount.apply(counted.aggregations), fuzzyUnits };
  }

  private lookup<T>(part: 'hits' | 'facets', key: string, bypass: boolean): T | undefined {
    if (bypass) {
      this.lookups.inc({ part, outcome: 'bypass' });
      return undefined;
    }
    const found = this.options.cache.get<T>(key);
    this.lookups.inc({ part, outcome: found === undefined ? 'miss' : 'hit' });
    return found;
  }
}

function result(hits: HitsPart, facets: FacetsPart): SearchResult {
  return {
    total: hits.total,
    items: hits.items,
    facets: facets.facets,
    nextCursor: hits.nextCursor,
  };
}
