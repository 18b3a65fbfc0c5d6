import type { RuleMatch, SearchRuleSnapshot } from '../../events/merchandising-events.js';
import { queryWords, termKey } from '../search/query/text.js';

/**
 * Query rules as catalog-read applies them (API.md "Search merchandising"). Queries and rules are
 * compared on word keys (termKey: case, accents and a plural `s` do not matter), the words the
 * storefront search itself sees, so a rule matches exactly the searches that look alike.
 */
export interface CompiledRule {
  readonly id: string;
  readonly version: number;
  readonly match: RuleMatch;
  /** The rule query's word keys. */
  readonly keys: readonly string[];
  readonly pin: readonly string[];
  readonly hide: readonly string[];
  /** The active window in epoch ms, start included, end excluded; null is open. */
  readonly from: number | null;
  readonly to: number | null;
}

export const queryKeys = (q: string): string[] => queryWords(q).map(termKey);

const epoch = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** A stored rule as matched; undefined for a tombstone or a rule without words. */
export function compileRule(rule: SearchRuleSnapshot): CompiledRule | undefined {
  const keys = queryKeys(rule.query);
  if (rule.deleted === true || keys.length === 0) return undefined;
  return {
    id: rule.id,
    version: rule.version,
    match: rule.match,
    keys,
    pin: rule.pin,
    hide: rule.hide,
    from: epoch(rule.activeFrom),
    to: epoch(rule.activeTo),
  };
}

function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((key, i) => haystack[start + i] === key)) return true;
  }
  return false;
}

function matches(rule: CompiledRule, keys: readonly string[]): boolean {
  if (rule.match === 'exact') {
    return rule.keys.length === keys.length && rule.keys.every((key, i) => keys[i] === key);
  }
  return containsRun(keys, rule.keys);
}

const active = (rule: CompiledRule, now: number): boolean =>
  (rule.from === null || rule.from <= now) && (rule.to === null || now < rule.to);

/**
 * The most specific rule first: exact rules, then phrase rules with more words, then by id, so
 * that the order (which decides whose pins come first) never depends on storage order.
 */
function specificity(a: CompiledRule, b: CompiledRule): number {
  if (a.match !== b.match) return a.match === 'exact' ? -1 : 1;
  if (a.keys.length !== b.keys.length) return b.keys.length - a.keys.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** What the rules that apply to one search do together. */
export interface RuleEffect {
  /** The rules applied, most specific first (the response's appliedRules). */
  readonly applied: readonly { readonly id: string; readonly version: number }[];
  /** Pinned product ids in order: each rule's pins in its order, rules by specificity. */
  readonly pin: readonly string[];
  /** Hidden product ids; a product both pinned and hidden is hidden. */
  readonly hide: readonly string[];
}

export const noRuleEffect: RuleEffect = { applied: [], pin: [], hide: [] };

/** The rules that apply to a query (its word keys) at `now`, and their combined effect. */
export function ruleEffect(
  rules: readonly CompiledRule[],
  keys: readonly string[],
  now: number,
): RuleEffect {
  if (keys.length === 0) return noRuleEffect;
  const applying = rules.filter((r) => active(r, now) && matches(r, keys)).sort(specificity);
  if (applying.length === 0) return noRuleEffect;
  const hide = new Set(applying.flatMap((r) => r.hide));
  const pin = [...new Set(applying.flatMap((r) => r.pin))].filter((id) => !hide.has(id));
  return {
    applied: applying.map((r) => ({ id: r.id, version: r.version })),
    pin,
    hide: [...hide].sort(),
  };
}
