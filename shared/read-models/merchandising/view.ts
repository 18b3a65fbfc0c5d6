import type { SearchRuleSnapshot, SynonymSetSnapshot } from '../../events/merchandising-events.js';
import { parseSynonyms, type Synonyms } from '../search/query/synonyms.js';
import { compileRule, type CompiledRule } from './rules.js';

/** What one catalog-read instance searches with: the synonyms and rules it last loaded. */
export interface MerchandisingView {
  /** The read model's change stamp when loaded ('' before any change was projected). */
  readonly stamp: string;
  /** The synonym set's version; 0 is the initial set from the repo's file. */
  readonly synonymsVersion: number;
  readonly synonyms: Synonyms;
  readonly rules: readonly CompiledRule[];
}

/** The stored state as Redis holds it (load.ts). */
export interface StoredMerchandising {
  readonly stamp: string;
  readonly synonyms: SynonymSetSnapshot | undefined;
  readonly rules: readonly SearchRuleSnapshot[];
}

export const initialView = (synonyms: Synonyms): MerchandisingView => ({
  stamp: '',
  synonymsVersion: 0,
  synonyms,
  rules: [],
});

/**
 * The view of a stored state. Until a synonym set has been projected, the initial set (the file
 * the write side also starts from) applies, and again if a stored set is removed. A stored set that does not parse (the write side
 * validates every line, so only a bug gets here) keeps the previous synonyms and says so.
 */
export function viewOf(
  stored: StoredMerchandising,
  previous: MerchandisingView,
  initial: Synonyms,
): { view: MerchandisingView; synonymError?: Error } {
  const rules = stored.rules.flatMap((r) => compileRule(r) ?? []);
  const set = stored.synonyms;
  // No set stored (none yet, or a repair removed one the write side does not hold): the initial.
  if (set === undefined) {
    return { view: { stamp: stored.stamp, synonymsVersion: 0, synonyms: initial, rules } };
  }
  if (set.version === previous.synonymsVersion) {
    return { view: { ...previous, stamp: stored.stamp, rules } };
  }
  try {
    const synonyms = parseSynonyms(set.lines.join('\n'));
    return { view: { stamp: stored.stamp, synonymsVersion: set.version, synonyms, rules } };
  } catch (error) {
    return {
      view: { ...previous, stamp: stored.stamp, rules },
      synonymError: error instanceof Error ? error : new Error(String(error)),
    };
  }
}
