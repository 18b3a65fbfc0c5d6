import type { CategoryEvent, CategorySnapshot } from '../../events/catalog-events.js';
import { Problem } from '../../http/problems.js';
import type { Pool, PoolClient } from '../../stores/postgres.js';
import { checkExpectedVersion, decided, type CommandContext } from '../kit/context.js';
import { appendToOutbox, newEventId } from '../kit/outbox.js';
import { inTransaction, pgErrorOf } from '../kit/transaction.js';
import { decideCategory, type CategoryCommand, type CategoryDecision } from './decide.js';
import { insertCategory, lineage, loadCategory, lockTree, updateCategory } from './repository.js';

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

/** Same shape as product commands: lock, check If-Match, decide, write rows + event, commit. */
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
      const parentId =
        command.type === 'CreateCategory' ? command.fields.parentId : command.patch.parentId;
      const parentLineage = parentId ? await parentLineageOf(client, parentId) : [];
      const decision = decided(() =>
        decideCategory(command, current, { parentLineage }, new Date().toISOString()),
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

async function loadExisting(client: PoolClient, id: string): Promise<CategorySnapshot> {
  const category = await loadCategory(client, id, true);
  if (category === undefined) throw new Problem('not_found', `no category ${id}`);
  return category;
}

async function parentLineageOf(client: PoolClient, parentId: string): Promise<string[]> {
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
