import { expandWithSynonyms } from '../search/query/synonyms.js';
import { queryWords } from '../search/query/text.js';
import { queryKeys, ruleEffect } from './rules.js';
import type { MerchandisingView } from './view.js';

/** A query rule that applies to a query now, as the analytics reports name it. */
export interface CoveringRule {
  readonly id: string;
  readonly version: number;
  readonly pins: number;
  readonly hides: number;
}

/**
 * What merchandising does for a query now, for reports on what shoppers searched: the queries
 * the synonyms add to it, and the rules that apply. A query is covered when something would
 * bring results to it: a synonym, or a rule that pins products.
 */
export interface Coverage {
  readonly covered: boolean;
  readonly synonyms: readonly string[];
  readonly rules: readonly CoveringRule[];
}

export function coverageOf(view: MerchandisingView, query: string, now: number): Coverage {
  const synonyms = expandWithSynonyms(queryWords(query), view.synonyms);
  const effect = ruleEffect(view.rules, queryKeys(query), now);
  const byId = new Map(view.rules.map((r) => [r.id, r]));
  const rules = effect.applied.map(({ id, version }) => ({
    id,
    version,
    pins: byId.get(id)?.pin.length ?? 0,
    hides: byId.get(id)?.hide.length ?? 0,
  }));
  return {
    covered: synonyms.length > 0 || rules.some((r) => r.pins > 0),
    synonyms,
    rules,
  };
}
