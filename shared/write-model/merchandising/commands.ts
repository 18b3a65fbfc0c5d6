import {
  SYNONYM_SET_ID,
  type SearchRuleEvent,
  type SearchRuleSnapshot,
  type SynonymSetSnapshot,
  type SynonymsEvent,
} from '../../events/merchandising-events.js';
import { Problem } from '../../http/problems.js';
import type { Pool, PoolClient } from '../../stores/postgres.js';
import { checkExpectedVersion, decided, type CommandContext } from '../kit/context.js';
import { appendToOutbox, newEventId } from '../kit/outbox.js';
import { inTransaction } from '../kit/transaction.js';
import { addedProducts, decideRule, type RuleCommand, type RuleDecision } from './decide-rules.js';
import { decideSynonyms } from './decide-synonyms.js';
import {
  insertRule,
  loadLiveRules,
  loadRule,
  loadSynonymSet,
  lockSynonymSet,
  missingProducts,
  saveSynonymSet,
  updateRule,
} from './repository.js';

export function synonymsEvent(
  set: SynonymSetSnapshot,
  correlationId: string | null,
): SynonymsEvent {
  return {
    aggregate: 'synonyms',
    eventId: newEventId(),
    type: 'SynonymsReplaced',
    synonymSetId: SYNONYM_SET_ID,
    version: set.version,
    occurredAt: set.updatedAt,
    correlationId,
    snapshot: set,
  };
}

/**
 * Stores `lines` as the set when none is stored yet (the initial set, see initial-synonyms.ts);
 * concurrent callers and a racing replace are serialized by the set's lock, so exactly one
 * version 1 and one event are ever written. Returns the set as stored and whether this call
 * created it.
 */
export async function storeInitialSynonyms(
  pool: Pool,
  lines: readonly string[],
  correlationId: string | null,
): Promise<{ set: SynonymSetSnapshot; created: boolean }> {
  return inTransaction(pool, async (client) => {
    await lockSynonymSet(client);
    const current = await loadSynonymSet(client);
    if (current !== undefined) return { set: current, created: false };
    const { set } = decided(() => decideSynonyms(lines, undefined, new Date().toISOString()));
    if (!(await saveSynonymSet(client, undefined, set))) {
      throw new Error('the synonym set appeared under its lock');
    }
    await appendToOutbox(client, [synonymsEvent(set, correlationId)]);
    return { set, created: true };
  });
}

/**
 * Replaces the whole synonym set: lock, check If-Match (a set never stored is version 0), decide,
 * write the row and its event, commit. The same lines again change nothing and add no event.
 */
export async function replaceSynonyms(
  pool: Pool,
  lines: readonly string[],
  context: CommandContext<SynonymSetSnapshot>,
): Promise<SynonymSetSnapshot> {
  return inTransaction(pool, async (client) => {
    await lockSynonymSet(client);
    const current = await loadSynonymSet(client);
    checkExpectedVersion('synonym set', current?.version ?? 0, context.expectedVersion);
    const decision = decided(() => decideSynonyms(lines, current, new Date().toISOString()));
    if (decision.changed) {
      if (!(await saveSynonymSet(client, current, decision.set))) {
        throw new Error('the synonym set changed under its lock');
      }
      await appendToOutbox(client, [synonymsEvent(decision.set, context.correlationId)]);
    }
    await context.beforeCommit?.(client, decision.set);
    return decision.set;
  });
}

function ruleEvent(decision: RuleDecision, correlationId: string | null): SearchRuleEvent {
  return {
    aggregate: 'search-rule',
    eventId: newEventId(),
    type: decision.type,
    ruleId: decision.rule.id,
    version: decision.rule.version,
    occurredAt: decision.rule.updatedAt,
    correlationId,
    snapshot: decision.rule,
    changes: decision.changes,
  };
}

/** Same shape as the category commands: lock, check If-Match, decide, write row + event, commit. */
export async function runRuleCommand(
  pool: Pool,
  ruleId: string,
  command: RuleCommand,
  context: CommandContext<SearchRuleSnapshot>,
): Promise<SearchRuleSnapshot> {
  return inTransaction(pool, async (client) => {
    const current = command.type === 'CreateRule' ? undefined : await loadExisting(client, ruleId);
    if (current !== undefined) {
      checkExpectedVersion('rule', current.version, context.expectedVersion);
    }
    const unknownProducts = await missingProducts(client, addedProducts(command, current));
    const decision = decided(() =>
      decideRule(command, current, { unknownProducts }, new Date().toISOString()),
    );
    if (current === undefined) await insertRule(client, decision.rule);
    else if (!(await updateRule(client, current, decision.rule))) {
      throw new Error(`rule ${ruleId} changed under its lock`);
    }
    await appendToOutbox(client, [ruleEvent(decision, context.correlationId)]);
    await context.beforeCommit?.(client, decision.rule);
    return decision.rule;
  });
}

async function loadExisting(client: PoolClient, id: string): Promise<SearchRuleSnapshot> {
  const rule = await loadRule(client, id, true);
  if (rule === undefined) throw new Problem('not_found', `no rule ${id}`);
  return rule;
}

export async function readRule(pool: Pool, id: string): Promise<SearchRuleSnapshot> {
  const rule = await loadRule(pool, id, false);
  if (rule === undefined) throw new Problem('not_found', `no rule ${id}`);
  return rule;
}

/** Every live rule, newest change first (GET /admin/v1/search/rules). */
export function listRules(pool: Pool): Promise<SearchRuleSnapshot[]> {
  return loadLiveRules(pool);
}
