import {
  type RuleMatch,
  type SearchRuleEventType,
  type SearchRuleSnapshot,
} from '../../events/merchandising-events.js';
import { assertNever } from '../../assert-never.js';
import { queryTextLimits, queryWords, words } from '../../read-models/search/query/text.js';
import { DomainError, rule } from '../domain-error.js';

export const ruleLimits = {
  /** Characters (code points) of a rule's query. */
  queryMax: 200,
  pinMax: 20,
  hideMax: 200,
  /** Active times are instants of these years (Postgres has no year 0, JSON no year 10000). */
  firstYear: 1970,
  lastYear: 9999,
} as const;

export interface RuleFields {
  readonly query: string;
  readonly match: RuleMatch;
  readonly pin: readonly string[];
  readonly hide: readonly string[];
  readonly activeFrom?: string | null;
  readonly activeTo?: string | null;
}

export type RulePatch = Partial<RuleFields>;

export type RuleCommand =
  | { readonly type: 'CreateRule'; readonly id: string; readonly fields: RuleFields }
  | { readonly type: 'ChangeRule'; readonly patch: RulePatch }
  | { readonly type: 'DeleteRule' };

/** What the rules need from outside the rule, loaded by the caller. */
export interface RuleFacts {
  /** Of the ids the change adds to pin or hide (addedProducts), those with no live product. */
  readonly unknownProducts: readonly string[];
}

export interface RuleDecision {
  readonly type: SearchRuleEventType;
  readonly rule: SearchRuleSnapshot;
  readonly changes: { readonly fields: readonly string[] };
}

const FIELDS = ['activeFrom', 'activeTo', 'hide', 'match', 'pin', 'query'] as const;

/**
 * The ids a command puts into pin or hide that the rule did not reference before: only those
 * must name live products. A product deleted after a rule named it does not block later changes
 * to the rule (the read side skips ids it does not find).
 */
export function addedProducts(command: RuleCommand, current: SearchRuleSnapshot | undefined) {
  const before = new Set([...(current?.pin ?? []), ...(current?.hide ?? [])]);
  const given =
    command.type === 'CreateRule'
      ? [...command.fields.pin, ...command.fields.hide]
      : command.type === 'ChangeRule'
        ? [...(command.patch.pin ?? []), ...(command.patch.hide ?? [])]
        : [];
  return [...new Set(given)].filter((id) => !before.has(id));
}

/**
 * The query rule rules: a query with words a search can match, pins and hides that are products
 * and do not contradict each other, something to pin or hide, and an active window that is not
 * empty. Every change adds one to the version; a delete leaves a tombstone.
 */
export function decideRule(
  command: RuleCommand,
  current: SearchRuleSnapshot | undefined,
  facts: RuleFacts,
  now: string,
): RuleDecision {
  switch (command.type) {
    case 'CreateRule': {
      const rule = checked(
        { id: command.id, version: 1, createdAt: now, updatedAt: now, ...command.fields },
        facts,
      );
      return { type: 'SearchRuleCreated', rule, changes: { fields: [...FIELDS] } };
    }
    case 'ChangeRule': {
      const live = liveRule(current);
      const next = checked({ ...live, ...definedOnly(command.patch) }, facts);
      const fields = FIELDS.filter((f) => !sameValue(next[f], live[f]));
      if (fields.length === 0) throw rule('the patch changes nothing');
      return {
        type: 'SearchRuleChanged',
        rule: { ...next, updatedAt: now, version: live.version + 1 },
        changes: { fields },
      };
    }
    case 'DeleteRule': {
      const live = liveRule(current);
      return {
        type: 'SearchRuleDeleted',
        rule: { ...live, updatedAt: now, version: live.version + 1, deleted: true },
        changes: { fields: ['deleted'] },
      };
    }
    default:
      return assertNever(command);
  }
}

function liveRule(current: SearchRuleSnapshot | undefined): SearchRuleSnapshot {
  if (current === undefined || current.deleted === true) {
    throw new DomainError('not_found', 'the rule does not exist');
  }
  return current;
}

type Draft = Omit<SearchRuleSnapshot, 'activeFrom' | 'activeTo'> & {
  readonly activeFrom?: string | null | undefined;
  readonly activeTo?: string | null | undefined;
};

/** The rule after the change, checked, with its active times as canonical UTC instants. */
function checked(draft: Draft, facts: RuleFacts): SearchRuleSnapshot {
  checkQuery(draft.query);
  checkProducts(draft.pin, draft.hide);
  const activeFrom = instant(draft.activeFrom, 'activeFrom');
  const activeTo = instant(draft.activeTo, 'activeTo');
  if (activeFrom !== null && activeTo !== null && activeTo <= activeFrom) {
    throw invalid('activeTo must be after activeFrom', 'activeTo');
  }
  if (facts.unknownProducts.length > 0) throw unknownProducts(facts.unknownProducts, draft);
  return { ...draft, activeFrom, activeTo };
}

function checkQuery(query: string): void {
  if (Array.from(query).length > ruleLimits.queryMax) {
    throw invalid(`query must be at most ${ruleLimits.queryMax} characters`, 'query');
  }
  if (queryWords(query).length === 0) throw invalid('query must have words', 'query');
  // A search looks at its first words only (queryTextLimits): a longer query could never match.
  if (words(query).length > queryTextLimits.maxWords) {
    throw invalid(`query must have at most ${queryTextLimits.maxWords} words`, 'query');
  }
}

function checkProducts(pin: readonly string[], hide: readonly string[]): void {
  if (pin.length > ruleLimits.pinMax) {
    throw invalid(`a rule pins at most ${ruleLimits.pinMax} products`, 'pin');
  }
  if (hide.length > ruleLimits.hideMax) {
    throw invalid(`a rule hides at most ${ruleLimits.hideMax} products`, 'hide');
  }
  if (pin.length + hide.length === 0) throw invalid('a rule must pin or hide a product', 'pin');
  for (const [field, ids] of [
    ['pin', pin],
    ['hide', hide],
  ] as const) {
    if (new Set(ids).size !== ids.length) throw invalid('must not name a product twice', field);
  }
  const hidden = new Set(hide);
  const both = pin.filter((id) => hidden.has(id));
  if (both.length > 0) {
    throw invalid(`a product cannot be both pinned and hidden: ${both.join(', ')}`, 'hide');
  }
}

/** An optional instant as canonical UTC (`2026-01-31T23:00:00.000Z`); null when absent. */
function instant(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const ms = Date.parse(value);
  const year = Number.isNaN(ms) ? NaN : new Date(ms).getUTCFullYear();
  if (!(year >= ruleLimits.firstYear && year <= ruleLimits.lastYear)) {
    throw invalid(
      `must be a date-time in the years ${ruleLimits.firstYear} to ${ruleLimits.lastYear}`,
      field,
    );
  }
  return new Date(ms).toISOString();
}

function unknownProducts(ids: readonly string[], draft: Draft): DomainError {
  const hidden = new Set(draft.hide);
  return new DomainError(
    'unknown_product',
    `no live product ${ids.join(', ')}`,
    undefined,
    ids.map((id) => ({ field: hidden.has(id) ? 'hide' : 'pin', message: `no live product ${id}` })),
  );
}

const invalid = (message: string, field: string): DomainError =>
  new DomainError('validation_failed', message, field);

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
