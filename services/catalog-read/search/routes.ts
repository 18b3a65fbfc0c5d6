import { performance } from 'node:perf_hooks';
import { withProblems } from '../../../shared/http/error-schemas.js';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { Problem } from '../../../shared/http/problems.js';
import type { CategoryTree } from '../../../shared/read-models/detail/category-tree.js';
import type { CatalogReadContext } from '../context.js';
import {
  sortClauses,
  type BodyFilters,
  type SearchBodyInput,
} from '../../../shared/read-models/search/query/build-search-body.js';
import { categoriesNamedIn } from '../../../shared/read-models/search/query/category-signal.js';
import {
  decodeCursorPosition,
  searchKey,
} from '../../../shared/read-models/search/query/cursor.js';
import { waitForSearchableVersion } from '../../../shared/read-models/search/query/min-version.js';
import {
  minVersionHeaders,
  parseSearchRequest,
  searchQuerystring,
  type SearchQuerystring,
  type SearchRequest,
} from '../../../shared/read-models/search/query/params.js';
import { searchResponseSchema } from '../../../shared/read-models/search/query/response.js';
import {
  buildSuggestBody,
  mapSuggestResponse,
  suggestQuerystring,
  suggestResponseSchema,
} from '../../../shared/read-models/search/query/suggest.js';
import {
  expandWithSynonyms,
  queryUnits,
  type Synonyms,
} from '../../../shared/read-models/search/query/synonyms.js';
import type { ListPosition } from '../../../shared/read-models/search/query/pinning.js';
import { ruleEffect, type RuleEffect } from '../../../shared/read-models/merchandising/rules.js';
import { termKey } from '../../../shared/read-models/search/query/text.js';
import type { MerchandisingView } from '../../../shared/read-models/merchandising/view.js';
import { ResultCache } from './result-cache.js';
import {
  SEARCH_REFRESH_INTERVAL_MS,
  type GenerationSource,
} from '../../../shared/read-models/search/generation.js';
import { engineGate } from './engine-gate-metrics.js';
import { RETRY_AFTER, SearchRunner, fromEngine } from './run-search.js';
import { SearchAnswers } from './search-answers.js';
import {
  queryTextLimits,
  queryWords,
  skuQuery,
} from '../../../shared/read-models/search/query/text.js';

/** The synonyms and query rules an instance searches with now (LiveMerchandising). */
export interface MerchandisingSource {
  current(): MerchandisingView;
}

export interface SearchRouteOptions {
  readonly merchandising: MerchandisingSource;
  /** The index generation the default cache follows (none: every answer lives the short TTL). */
  readonly generation?: GenerationSource;
  /** Default: one from the SEARCH_CACHE_* settings (tests pass their own). */
  readonly cache?: ResultCache;
}

/**
 * GET /v1/search and GET /v1/suggest, with the merchandising the app keeps current and the index
 * generation it follows.
 */
export function searchRoutes(
  app: FastifyInstance,
  context: CatalogReadContext,
  merchandising: MerchandisingSource,
  generation: GenerationSource,
): void {
  registerSearchRoutes(app, context, { merchandising, generation });
}

/** What analytics records about the filters: the parameters as the client sent them. */
function usageFilters(request: SearchRequest): Record<string, unknown> {
  const f = request.filters;
  return {
    ...(f.category === undefined ? {} : { category: f.category }),
    ...(f.brands.length === 0 ? {} : { brand: f.brands }),
    ...(f.priceMin === undefined ? {} : { price_min: f.priceMin }),
    ...(f.priceMax === undefined ? {} : { price_max: f.priceMax }),
    ...(f.inStock ? { in_stock: true } : {}),
    ...Object.fromEntries(f.attributes.map((a) => [`attr.${a.name}`, a.values])),
    sort: request.sort,
  };
}

export function registerSearchRoutes(
  app: FastifyInstance,
  context: CatalogReadContext,
  options: SearchRouteOptions,
): void {
  const { search, alias, config } = context;
  const engineRequests = new Counter({
    name: 'aisle_search_engine_requests_total',
    help: 'Search requests catalog-read sent to the engine for /v1/search, by part (all, hits, facets; a variant facet recount counts as facets; pinned: the pinned products of a query rule).',
    labelNames: ['part'] as const,
    registers: [app.metrics],
  });
  const runner = new SearchRunner(
    search,
    alias,
    (part) => engineRequests.inc({ part }),
    engineGate(app.metrics, config),
  );
  const answers = new SearchAnswers({
    runner,
    cache:
      options.cache ??
      new ResultCache({
        maxBytes: Number(config.searchCacheMaxBytes) || 0,
        ttlMs: Number(config.searchCacheTtlMs) || 0,
        maxAgeMs: Number(config.searchCacheMaxAgeMs) || 0,
        // An answer computed this long after a change was seen is computed after its refresh.
        settleMs: SEARCH_REFRESH_INTERVAL_MS + (Number(config.searchGenerationPollMs) || 0),
        ...(options.generation === undefined ? {} : { generation: options.generation }),
      }),
    registry: app.metrics,
  });

  const categoryTree = async (): Promise<CategoryTree> => {
    try {
      return await context.categoryTrees.tree();
    } catch {
      throw new Problem(
        'unavailable',
        'categories are temporarily unavailable',
        undefined,
        RETRY_AFTER,
      );
    }
  };

  /**
   * The body input of a request: the category resolved, the synonyms, the category signal and
   * the query rules' products.
   */
  const bodyInput = async (
    parsed: SearchRequest,
    position: ListPosition,
    synonyms: Synonyms,
    rules: RuleEffect,
  ): Promise<SearchBodyInput> => {
    const text = parsed.words.join(' ');
    const alternatives = expandWithSynonyms(parsed.words, synonyms);
    const { category, ...rest } = parsed.filters;
    // The tree resolves a category filter (required) and the category signal (a bonus that a
    // search does without when Redis is away).
    const tree =
      category !== undefined
        ? await categoryTree()
        : text === ''
          ? undefined
          : await categoryTree().catch(() => undefined);
    const filters: BodyFilters =
      category === undefined || tree === undefined
        ? rest
        : { ...rest, categoryIds: tree.descendantsOf(category) };
    const sku = skuQuery(parsed.q);
    return {
      units: queryUnits(parsed.words, synonyms),
      ...(sku === undefined || parsed.words.length === 0 ? {} : { sku }),
      signalCategories:
        text === '' || tree === undefined ? [] : categoriesNamedIn(tree, [text, ...alternatives]),
      filters,
      ...(parsed.facets === undefined ? {} : { facets: parsed.facets }),
      sort: parsed.sort,
      size: parsed.size,
      ...('pinnedShown' in position ? { from: position.pinnedShown } : position),
      ...(rules.pin.length === 0 ? {} : { pinned: rules.pin }),
      ...(rules.hide.length === 0 ? {} : { hidden: rules.hide }),
    };
  };

  app.get<{ Querystring: SearchQuerystring }>(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search over published products, with filters, facets and paging',
        description: [
          'Typos, stemming and configured synonyms match. Filters: category (with descendants),',
          'brand (repeatable, any), price_min/price_max (minor units), in_stock=true,',
          'attr.<name>=<value> (repeatable: values of one name any, different names all),',
          'attr.<name>.min / attr.<name>.max (a number attribute within bounds, included).',
          'Variants: option filters (attr.<option>), the price range and in_stock apply to one',
          'and the same variant (black-M plus grey-XL does not match color=black&size=XL);',
          'items stay one per product, with priceRange, variantCount and matchedVariants (the',
          'variants that satisfy those filters). A SKU, of a product or a variant, finds its',
          'product. Option facets count products, like attribute facets, and each value counts a',
          'product when one of its variants has it and satisfies the other filters.',
          'Facets are counted with every other filter applied, not their own; facets=',
          '(comma-separated names, or none) limits which are computed, and facets.truncated',
          'names those cut at their bucket limit.',
          'Paging: page while page * size <= 1000, then cursor (nextCursor).',
          'Only the first 512 characters of q count, of them the first 10 words (32 characters each).',
          'minVersion + product (or X-Aisle-Min-Version): wait, bounded, until the search',
          'index has that version of the product; 503 with Retry-After if it does not arrive.',
          'Answers may come from a cache, dropped when the index changes: at most',
          'SEARCH_CACHE_TTL_MS (default 500 ms) older than the index, which itself shows writes',
          'within its refresh (500 ms); a minVersion read always asks the index.',
        ].join(' '),
        querystring: searchQuerystring,
        headers: minVersionHeaders,
        response: withProblems({ 200: searchResponseSchema }),
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const header: unknown = request.headers['x-aisle-min-version'];
      const parsed = parseSearchRequest(
        request.query,
        typeof header === 'number' ? header : undefined,
      );
      const key = searchKey(parsed.words, parsed.filters, parsed.sort);
      const position: ListPosition =
        'cursor' in parsed.position
          ? decodeCursorPosition(parsed.position.cursor, key, sortClauses(parsed.sort).length)
          : { from: (parsed.position.page - 1) * parsed.size };
      const merchandising = options.merchandising.current();
      const rules = ruleEffect(merchandising.rules, parsed.words.map(termKey), Date.now());

      if (parsed.minVersion !== undefined) {
        const { productId, version } = parsed.minVersion;
        const reached = await fromEngine(() =>
          waitForSearchableVersion({
            engine: search,
            alias,
            productId,
            version,
            timeoutMs: config.readYourWritesTimeoutMs,
          }),
        );
        if (!reached) {
          throw new Problem(
            'unavailable',
            `version ${version} of product ${productId} is not searchable yet`,
            undefined,
            RETRY_AFTER,
          );
        }
      }

      const appliedRules = rules.applied;
      const answer = await answers.respond(
        parsed,
        key,
        () => bodyInput(parsed, position, merchandising.synonyms, rules),
        {
          position,
          merchandising: { synonymsVersion: merchandising.synonymsVersion, rules: appliedRules },
        },
        // The route's own serializer (its response schema): a cached body is what it would send.
        (result) => reply.serialize({ ...result, appliedRules }),
      );
      // A HEAD (a link checker, a probe) is not a shopper's search.
      if (request.method === 'GET') {
        context.usage.recordSearch({
          query: Array.from(parsed.q).slice(0, queryTextLimits.maxChars).join(''),
          filters: usageFilters(parsed),
          resultCount: answer.total,
          latencyMs: Math.round(performance.now() - started),
        });
      }
      return reply.type('application/json; charset=utf-8').send(answer.body);
    },
  );

  app.get<{ Querystring: { q?: string; size: number } }>(
    '/suggest',
    {
      schema: {
        tags: ['search'],
        summary: 'As-you-type suggestions: prefix of the last word, typo tolerant',
        querystring: suggestQuerystring,
        response: withProblems({ 200: suggestResponseSchema }),
      },
    },
    async (request) => {
      const words = queryWords(request.query.q ?? '');
      if (words.length === 0) return { suggestions: [] };
      const text = words.join(' ');
      const size = request.query.size;
      let raw = await runner.engineSearch(buildSuggestBody(text, size, false), 'first');
      if (raw.hits.hits.length === 0) {
        raw = await runner.engineSearch(buildSuggestBody(text, size, true), 'follow-up');
      }
      return mapSuggestResponse(raw);
    },
  );
}
