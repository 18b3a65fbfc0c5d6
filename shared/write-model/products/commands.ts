import type {
  FullProductSnapshot,
  ProductEvent,
  ProductSnapshot,
} from '../../events/catalog-events.js';
import { Problem } from '../../http/problems.js';
import type { Pool, PoolClient } from '../../stores/postgres.js';
import { checkExpectedVersion, decided, type CommandContext } from '../kit/context.js';
import { appendToOutbox, newEventId } from '../kit/outbox.js';
import { inTransaction, pgErrorOf } from '../kit/transaction.js';
import { decideProduct, type ProductCommand, type ProductDecision } from './decide.js';
import { categoryExists, insertProducts, loadProduct, updateProduct } from './repository.js';

export interface ProductOutcome {
  readonly product: FullProductSnapshot;
  readonly event: ProductEvent;
}

export function productEvent(
  decision: ProductDecision,
  correlationId: string | null,
): ProductEvent {
  return {
    aggregate: 'product',
    eventId: newEventId(),
    type: decision.type,
    productId: decision.product.id,
    version: decision.product.version,
    occurredAt: decision.product.updatedAt,
    correlationId,
    snapshot: decision.product,
    changes: decision.changes,
  };
}

/**
 * One command, one transaction: lock the product row, check If-Match, decide (pure), write the
 * changed rows and the outbox event, commit. Concurrent commands on one product queue on the
 * row lock, so none is lost and an If-Match that went stale meanwhile gets 409.
 */
export async function runProductCommand(
  pool: Pool,
  productId: string,
  command: ProductCommand,
  context: CommandContext<FullProductSnapshot>,
): Promise<ProductOutcome> {
  try {
    return await inTransaction(pool, async (client) => {
      const current =
        command.type === 'CreateProduct' ? undefined : await loadLive(client, productId);
      if (current !== undefined)
        checkExpectedVersion('product', current.version, context.expectedVersion);
      const decision = decided(() => decideProduct(command, current, new Date().toISOString()));
      await checkCategory(client, current, decision.product);
      if (current === undefined) await insertProducts(client, [decision.product]);
      else await updateProduct(client, current, decision.product);
      const event = productEvent(decision, context.correlationId);
      await appendToOutbox(client, [event]);
      await context.beforeCommit?.(client, decision.product);
      return { product: decision.product, event };
    });
  } catch (error) {
    throw (
      constraintProblem(error, command.type === 'CreateProduct' ? command.fields : undefined) ??
      error
    );
  }
}

async function loadLive(client: PoolClient, id: string): Promise<ProductSnapshot> {
  const product = await loadProduct(client, id, true);
  if (product === undefined || product.status === 'deleted') {
    throw new Problem('not_found', `no product ${id}`);
  }
  return product;
}

async function checkCategory(
  client: PoolClient,
  current: ProductSnapshot | undefined,
  next: ProductSnapshot,
): Promise<void> {
  if (next.categoryId === null || next.categoryId === current?.categoryId) return;
  if (!(await categoryExists(client, next.categoryId))) {
    throw new Problem('unknown_category', `no category ${next.categoryId}`, [
      { field: 'categoryId', message: 'does not exist' },
    ]);
  }
}

/** A product being created, as far as naming the field of a taken SKU needs it. */
export interface CreatedSkus {
  readonly sku: string;
  readonly variants?: readonly { readonly sku: string }[];
}

/**
 * Constraint violations that a concurrent writer can still cause after our checks, or that
 * only the database can see: a SKU another product or variant holds (sku_registry), an id
 * taken by another product's variant. `created` (a create) lets the problem name the field at
 * fault: `sku` or `variants.N.sku`.
 */
export function constraintProblem(error: unknown, created?: CreatedSkus): Problem | undefined {
  const { code, constraint } = pgErrorOf(error);
  if (code !== '23505') return undefined;
  if (constraint === 'products_sku_live' || constraint === 'sku_registry_pkey') {
    const sku = takenSku(error);
    return new Problem(
      'sku_taken',
      sku === undefined
        ? 'another product or variant has this SKU'
        : `another product or variant has the SKU ${sku}`,
      [{ field: skuField(created, sku), message: 'is taken' }],
    );
  }
  if (constraint === 'products_pkey') {
    return new Problem('conflict', 'a product with this id exists', [
      { field: 'id', message: 'is taken' },
    ]);
  }
  if (constraint === 'product_variants_pkey') {
    return new Problem('conflict', 'a variant with this id exists', [
      { field: created === undefined ? 'id' : 'variants', message: 'is taken' },
    ]);
  }
  if (constraint === 'product_variants_combination') {
    return new Problem('option_combination_taken', 'another variant has these option values');
  }
  return undefined;
}

/** `Key (sku)=(TEE-1) already exists.` -> TEE-1 */
function takenSku(error: unknown): string | undefined {
  const detail = (error as { detail?: unknown }).detail;
  if (typeof detail !== 'string') return undefined;
  return /^Key \(sku\)=\((.*)\) already exists\.$/.exec(detail)?.[1];
}

/** Where a product being created holds this SKU: `sku`, or `variants.N.sku`. */
export function skuField(created: CreatedSkus | undefined, sku: string | undefined): string {
  if (created === undefined || sku === undefined || created.sku === sku) return 'sku';
  const index = (created.variants ?? []).findIndex((v) => v.sku === sku);
  return index === -1 ? 'sku' : `variants.${index}.sku`;
}

/** The admin view: strongly consistent, straight from the write model. */
export async function readProduct(pool: Pool, id: string): Promise<ProductSnapshot> {
  const product = await loadProduct(pool, id, false);
  if (product === undefined || product.status === 'deleted')
    throw new Problem('not_found', `no product ${id}`);
  return product;
}
