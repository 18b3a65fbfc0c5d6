import { Problem } from '../../../shared/http/problems.js';
import {
  statusCodeOf,
  type SearchEngine,
  type SearchHit,
  type SearchResponseBody,
} from '../../../shared/stores/search/engine.js';
import { inPinOrder, pinnedBody } from '../../../shared/read-models/search/query/pinning.js';
import {
  buildSearchBody,
  unitCounts,
  type SearchBodyInput,
  type SearchPart,
} from '../../../shared/read-models/search/query/build-search-body.js';
import { typoFallbackUnits } from '../../../shared/read-models/search/query/relevance.js';
import type { EngineGate, EnginePriority } from './engine-gate.js';

export const RETRY_AFTER = { 'retry-after': '1' } as const;
const UNAVAILABLE_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);
/** Words kept by the reduced retry of a query the engine found too large. */
const REDUCED_WORDS = 3;

/** The engine's "too many clauses" refusal (OpenSearch and Elasticsearch word it alike). */
function tooManyClauses(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const meta = (cause as { meta?: { body?: unknown } } | undefined)?.meta;
  return /too_many(_nested)?_clauses|maxClauseCount/.test(JSON.stringify(meta?.body ?? ''));
}

/** An engine that is away, overloaded or not bootstrapped is a 503 the client may retry. */
export async function fromEngine<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const status = statusCodeOf(error);
    const name = error instanceof Error ? error.name : '';
    // 404: the alias is missing (search not bootstrapped yet), also worth a retry.
    if (UNAVAILABLE_ERRORS.has(name) || status === 404 || status === 429 || (status ?? 0) >= 500) {
      throw new Problem('unavailable', 'search is temporarily unavailable', undefined, RETRY_AFTER);
    }
    // Anything else is a bug on this side: a plain 500, logged, its engine details not sent.
    throw new Error('the search engine refused the request', { cause: error });
  }
}

export const totalOf = (raw: SearchResponseBody): number =>
  typeof raw.hits.total === 'number' ? raw.hits.total : raw.hits.total.value;

export interface EngineAnswer {
  readonly raw: SearchResponseBody;
  /** The units matched with typo tolerance (empty: the exact query answered). */
  readonly fuzzyUnits: readonly number[];
  /** The input the answer is for (the reduced one when the engine found the query too large). */
  readonly input: SearchBodyInput;
}

/** Sends search bodies for /v1/search: the reduced retry and the typo fallback. */
export class SearchRunner {
  constructor(
    private readonly engine: Pick<SearchEngine, 'search'>,
    private readonly alias: string,
    /** Called once per engine request, with the part it asked for (metrics, tests). */
    private readonly onRequest: (part: SearchPart | 'pinned') => void = () => undefined,
    /** Where requests wait for a turn (none: straight to the engine). */
    private readonly gate?: Pick<EngineGate, 'run'>,
  ) {}

  /**
   * The words are bounded (text.ts) so that a query stays under the engine's clause limit, but a
   * word in an unusual mix of scripts may still split into many terms. If the engine refuses the
   * query as too large, it is asked once more with the first words only, no synonyms and no typo
   * tolerance: hostile input gets a smaller search, never a 5xx.
   */
  async send(
    input: SearchBodyInput,
    part: SearchPart,
    priority: EnginePriority = 'first',
  ): Promise<{ raw: SearchResponseBody; reduced: boolean; input: SearchBodyInput }> {
    try {
      return { raw: await this.request(input, part, priority), reduced: false, input };
    } catch (error) {
      if (input.units.length === 0 || !tooManyClauses(error)) throw error;
      const units = input.units
        .flatMap((u) => u.text.split(' '))
        .slice(0, REDUCED_WORDS)
        .map((text) => ({ text, alternatives: [] }));
      const reduced = { ...input, units, fuzzyUnits: [], countUnits: false };
      return {
        raw: await this.request(reduced, part, 'follow-up'),
        reduced: true,
        input: reduced,
      };
    }
  }

  /**
   * The exact query first (with its per-unit counts); the fuzzy one only when the exact one finds
   * too little (relevance.ts, typoFallbackUnits). `part` is 'all' or 'hits' (the decision needs
   * the total, so never facets alone).
   */
  async exactThenFuzzy(input: SearchBodyInput, part: 'all' | 'hits'): Promise<EngineAnswer> {
    const exact = await this.send({ ...input, countUnits: true }, part);
    if (input.units.length === 0 || exact.reduced) {
      return { raw: exact.raw, fuzzyUnits: [], input: exact.input };
    }
    const fuzzyUnits = typoFallbackUnits(
      input.units,
      totalOf(exact.raw),
      unitCounts(exact.raw.aggregations),
    );
    if (fuzzyUnits.length === 0) return { raw: exact.raw, fuzzyUnits, input };
    const fuzzy = await this.send({ ...input, fuzzyUnits }, part, 'follow-up');
    return { raw: fuzzy.raw, fuzzyUnits: fuzzy.reduced ? [] : fuzzyUnits, input: fuzzy.input };
  }

  /** The exact facet recount of an answer (exact-facets.ts): a facets request of its own. */
  recount(body: Record<string, unknown>): Promise<SearchResponseBody> {
    this.onRequest('facets');
    return this.engineSearch(body, 'follow-up');
  }

  /** The pinned products that pass the filters, in the rules' order (pinning.ts). */
  async pinned(input: SearchBodyInput): Promise<readonly SearchHit[]> {
    this.onRequest('pinned');
    const raw = await this.engineSearch(pinnedBody(input), 'first');
    return inPinOrder(raw.hits.hits, input.pinned ?? []);
  }

  private request(
    input: SearchBodyInput,
    part: SearchPart,
    priority: EnginePriority,
  ): Promise<SearchResponseBody> {
    this.onRequest(part);
    return this.engineSearch(buildSearchBody(input, part), priority);
  }

  /** One engine request with `body`, through the gate. */
  engineSearch(
    body: Record<string, unknown>,
    priority: EnginePriority,
  ): Promise<SearchResponseBody> {
    const call = () => fromEngine(() => this.engine.search(this.alias, body));
    return this.gate === undefined ? call() : this.gate.run(priority, call);
  }
}
