import { createHash } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
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
import { olderStamp, type CachedValue, type CacheStamp, type ResultCache } from './result-cache.js';
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

/** The cache keys of an answer's parts and of the whole answer, rendered. */
export interface AnswerKeys {
  readonly hits: string;
  readonly facets: string;
  readonly response: string;
}

/** An answer as the route sends it (UTF-8), and its total (which analytics records). */
export interface RenderedAnswer {
  readonly body: Buffer;
  readonly total: number;
}

type CachePart = 'hits' | 'facets' | 'response';

/** The parts of an answer found in the cache, with their stamps. */
interface CachedParts {
  readonly hits: CachedValue<HitsPart> | undefined;
  readonly facets: CachedValue<FacetsPart> | undefined;
}

/**
 * An answer being computed, which requests for the same answer share while it is fresh; its
 * stamp is that of the oldest part it uses.
 */
interface Flight {
  readonly stamp: CacheStamp;
  readonly answer: Promise<RenderedAnswer>;
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
): AnswerKeys {
  const what = [request.words.join(' '), request.filters, merchandising];
  const hits = digest([...what, request.sort, request.size, request.position]);
  const facets = digest([...what, request.facets ?? 'all']);
  return { hits: `h:${hits}`, facets: `f:${facets}`, response: `r:${hits}:${facets}` };
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
  private readonly shared: Counter;
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly options: SearchAnswersOptions) {
    this.lookups = new Counter({
      name: 'aisle_search_cache_lookups_total',
      help: 'Search answer cache lookups by part (response: the whole rendered answer; hits, facets: its parts, looked up when the response missed) and outcome (hit, miss, bypass: minVersion or cache off).',
      labelNames: ['part', 'outcome'] as const,
      registers: [options.registry],
    });
    this.shared = new Counter({
      name: 'aisle_search_shared_answers_total',
      help: 'Searches answered by an identical search already being computed, without an engine request of their own.',
      registers: [options.registry],
    });
    const { cache } = options;
    gaugeOf(
      options.registry,
      'aisle_search_cache_bytes',
      'Bytes the search answer cache counts as held (SEARCH_CACHE_MAX_BYTES bounds it).',
      () => cache.bytes,
    );
    gaugeOf(
      options.registry,
      'aisle_search_cache_entries',
      'Entries in the search answer cache: rendered answers and their hits and facets parts.',
      () => cache.size,
    );
  }

  /**
   * The answer to `request`, rendered by `render` (the route's serializer). A whole answer is
   * cached as its rendered body, so a repeated request costs a lookup; a request whose answer is
   * being computed for another one waits for it rather than asking the engine again (a popular
   * search is asked by many shoppers at once when it is not cached). `input` builds the body
   * input (it may read the category tree), only when a part is missing. A minVersion read never
   * reads the cache nor shares (it must see the index now) but stores what it found, which is as
   * fresh as anything cached.
   */
  async respond(
    request: SearchRequest,
    cursorKey: string,
    input: () => Promise<SearchBodyInput>,
    scope: AnswerScope,
    render: (result: SearchResult) => Rendered,
  ): Promise<RenderedAnswer> {
    const { cache } = this.options;
    const keys = cacheKeys(request, scope.merchandising);
    const bypass = request.minVersion !== undefined || !cache.enabled;
    const cached = this.lookup<RenderedAnswer>('response', keys.response, bypass);
    if (cached !== undefined) return cached;
    const flight = bypass ? undefined : this.flights.get(keys.response);
    if (flight !== undefined && cache.fresh(flight.stamp)) {
      this.shared.inc();
      return flight.answer;
    }
    // Before anything is asked: the generation this answer is computed under. With a cached
    // part, the answer is as old as that part (and so is what a request sharing it gets).
    const stamp = cache.stamp();
    const parts: CachedParts = {
      hits: this.lookupPart<HitsPart>('hits', keys.hits, bypass),
      facets: this.lookupPart<FacetsPart>('facets', keys.facets, bypass),
    };
    const oldest = [parts.hits?.stamp, parts.facets?.stamp].reduce<CacheStamp>(
      (a, b) => (b === undefined ? a : olderStamp(a, b)),
      stamp,
    );
    const answer = this.answer(request, cursorKey, input, scope, keys, stamp, parts).then(
      (result) => {
        const body = renderedBytes(render(result));
        const rendered: RenderedAnswer = { body, total: result.total };
        cache.set(keys.response, rendered, oldest, body.byteLength);
        return rendered;
      },
    );
    if (!bypass) this.follow(keys.response, { stamp: oldest, answer });
    return answer;
  }

  /** Shares `flight` under `key` while it runs. */
  private follow(key: string, flight: Flight): void {
    this.flights.set(key, flight);
    const done = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    };
    flight.answer.then(done, done);
  }

  /** The answer from its parts: the cached ones as they are, the others asked and cached. */
  private async answer(
    request: SearchRequest,
    cursorKey: string,
    input: () => Promise<SearchBodyInput>,
    scope: AnswerScope,
    keys: AnswerKeys,
    stamp: CacheStamp,
    parts: CachedParts,
  ): Promise<SearchResult> {
    const { cache, runner } = this.options;
    let hits = parts.hits?.value;
    let facets = parts.facets?.value;
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

  private lookup<T>(part: CachePart, key: string, bypass: boolean): T | undefined {
    return this.lookupPart<T>(part, key, bypass)?.value;
  }

  private lookupPart<T>(part: CachePart, key: string, bypass: boolean): CachedValue<T> | undefined {
    if (bypass) {
      // Counted once per request, on the whole answer.
      if (part === 'response') this.lookups.inc({ part, outcome: 'bypass' });
      return undefined;
    }
    const found = this.options.cache.read<T>(key);
    this.lookups.inc({ part, outcome: found === undefined ? 'miss' : 'hit' });
    return found;
  }
}

/** A gauge that reads its value when scraped. */
function gaugeOf(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** What a Fastify serializer gives: text, or already bytes. */
export type Rendered = string | ArrayBuffer | Buffer;

/**
 * A rendered body as bytes of their own: `Buffer.from` gives a small string a slice of Node's
 * shared 8 KiB pool, which a cached slice would keep alive whole while counted as its length.
 */
export function renderedBytes(rendered: Rendered): Buffer {
  const bytes =
    typeof rendered === 'string' ? Buffer.from(rendered, 'utf8') : new Uint8Array(rendered);
  const body = Buffer.allocUnsafeSlow(bytes.byteLength);
  body.set(bytes);
  return body;
}

function result(hits: HitsPart, facets: FacetsPart): SearchResult {
  return {
    total: hits.total,
    items: hits.items,
    facets: facets.facets,
    nextCursor: hits.nextCursor,
  };
}
