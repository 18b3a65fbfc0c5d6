/**
 * Search merchandising events (API.md "Search merchandising"). Synonyms and query rules are
 * write-side data like products: each change commits one event to the outbox with the full
 * snapshot after it, and every catalog-read instance applies it from its read model (DESIGN:
 * "Merchandising"). They travel in the same queues as catalog events; the detail projector keeps
 * them in Redis, the search and analytics projections skip them.
 */

/** The synonym set is one aggregate with this id (the outbox keys every event by a uuid). */
export const SYNONYM_SET_ID = '00000000-0000-4000-8000-000000000001';

/** The whole synonym set, Solr-format lines as stored (comments and blank lines kept). */
export interface SynonymSetSnapshot {
  readonly version: number;
  readonly lines: readonly string[];
  readonly updatedAt: string;
}

export type RuleMatch = 'exact' | 'phrase';

/**
 * A query rule: for a query it matches (`exact`: the normalized query equals `query`; `phrase`:
 * the query contains it as consecutive words), pin products first on page 1 in order and hide
 * others, while now is within [activeFrom, activeTo).
 */
export interface SearchRuleSnapshot {
  readonly id: string;
  readonly version: number;
  readonly query: string;
  readonly match: RuleMatch;
  readonly pin: readonly string[];
  readonly hide: readonly string[];
  readonly activeFrom: string | null;
  readonly activeTo: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Present (true) once the rule is deleted: read models keep a versioned tombstone. */
  readonly deleted?: true;
}

interface EventEnvelope {
  readonly eventId: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly correlationId: string | null;
}

export interface SynonymsEvent extends EventEnvelope {
  readonly aggregate: 'synonyms';
  readonly type: 'SynonymsReplaced';
  readonly synonymSetId: string;
  readonly snapshot: SynonymSetSnapshot;
}

export type SearchRuleEventType = 'SearchRuleCreated' | 'SearchRuleChanged' | 'SearchRuleDeleted';

export interface SearchRuleEvent extends EventEnvelope {
  readonly aggregate: 'search-rule';
  readonly type: SearchRuleEventType;
  readonly ruleId: string;
  readonly snapshot: SearchRuleSnapshot;
  readonly changes: { readonly fields: readonly string[] };
}

export type MerchandisingEvent = SynonymsEvent | SearchRuleEvent;
