import { assertNever } from '../../assert-never.js';
import { type CategoryEvent, type CategorySnapshot } from '../../events/catalog-events.js';
import { Problem } from '../../http/problems.js';
import type { Pool, PoolClient } from '../../stores/postgres.js';
import { checkExpectedVersion, decided, type CommandContext } from '../kit/context.js';
import { appendToOutbox, newEventId } from '../kit/outbox.js';
import { inTransaction, pgErrorOf } from '../kit/transaction.js';
import {
  decideCategory,
  type CategoryCommand,
  type CategoryDecision,
  type TreeFacts,
} from './decide.js';
import {
  insertCategory,
  lineage,
  loadCategory,
  loadContents,
  loadLiveCategories,
  lockTree,
  updateCategory,
} from './repository.js';
import { orderAsTree, type ListedCategory } from './tree-order.js';

function categoryEvent(decision: CategoryDecision, correlationId: string | null): CategoryEvent {
  return {
    aggregate: 'category',
    eventId: newEventId(),
    type: decision.type,
    categoryId: decision.category.id,
    version: decision.category.version,
    occurredAt: decision.category.updatedAt,
    correlationId,
    snapshot: decision.category,
    changes: decision.changes,
  };
}

/**
 * Same shape as product commands: lock, check If-Match, decide, write rows + event, commit. Every
 * category command first takes the tree lock, so a delete's "no children" holds at commit.
 */
export async function runCategoryCommand(
  pool: Pool,
  categoryId: string,
  command: CategoryCommand,
  context: CommandContext<CategorySnapshot>,
): Promise<CategorySnapshot> {
  try {
    return await inTransaction(pool, async (client) => {
      await lockTree(client);
      const current =
        command.type === 'CreateCategory' ? undefined : await loadExisting(client, categoryId);
      if (current !== undefined)
        checkExpectedVersion('category', current.version, context.expectedVersion);
      const facts = await treeFacts(client, categoryId, command);
      const decision = decided(() =>
        decideCategory(command, current, facts, new Date().toISOString()),
      );
      if (current === undefined) await insertCategory(client, decision.category);
      else if (!(await updateCategory(client, current, decision.category))) {
        throw new Error(`category ${categoryId} changed under its lock`);
      }
      await appendToOutbox(client, [categoryEvent(decision, context.correlationId)]);
      await context.beforeCommit?.(client, decision.category);
      return decision.category;
    });
  } catch (error) {
    const { code, constraint } = pgErrorOf(error);
    if (code === '23505' && constraint === 'categories_sibling_slug') {
      throw new Problem('slug_taken', 'a sibling category has this slug', [
        { field: 'slug', message: 'is taken' },
      ]);
    }
    if (code === '23505' && constraint === 'categories_pkey') {
      throw new Problem('conflict', 'a category with this id exists', [
        { field: 'id', message: 'is taken' },
      ]);
    }
    throw error;
  }
}

/**
 * The facts the command's rules need: the new parent's lineage for a create or a move, the
 * contents for a delete. The category row is already locked FOR UPDATE (loadExisting), and
 * product commands lock it FOR SHARE before filing a product under it, so the count holds.
 */
async function treeFacts(
  client: PoolClient,
  categoryId: string,
  command: CategoryCommand,
): Promise<TreeFacts> {
  switch (command.type) {
    case 'CreateCategory':
      return { parentLineage: await parentLineageOf(client, command.fields.parentId) };
    case 'ChangeCategory':
      return { parentLineage: await parentLineageOf(client, command.patch.parentId) };
    case 'DeleteCategory':
      return { parentLineage: [], contents: await loadContents(client, categoryId) };
    default:
      return assertNever(command);
  }
}

async function loadExisting(client: PoolClient, id: string): Promise<CategorySnapshot> {
  const category = await loadCategory(client, id, true);
  if (category === undefined) throw new Problem('not_found', `no category ${id}`);
  return category;
}

async function parentLineageOf(
  client: PoolClient,
  parentId: string | null | undefined,
): Promise<string[]> {
  if (parentId === null || parentId === undefined) return [];
  const found = await lineage(client, parentId);
  if (found.length === 0) {
    throw new Problem('unknown_category', `no category ${parentId}`, [
      { field: 'parentId', message: 'does not exist' },
    ]);
  }
  return found;
}

export async function readCategory(pool: Pool, id: string): Promise<CategorySnapshot> {
  const category = await loadCategory(pool, id, false);
  if (category === undefined) throw new Problem('not_found', `no category ${id}`);
  return category;
}

/** Every live category, parents before children (GET /admin/v1/categories). */
export async function listCategories(pool: Pool): Promise<ListedCategory[]> {
  return orderAsTree(await loadLiveCategories(pool));
}
