import type { CategorySnapshot } from '../../events/catalog-events.js';
import type { PoolClient, Queryable } from '../../stores/postgres.js';
import type { CategoryContents } from './decide.js';

interface CategoryRow {
  id: string;
  slug: string;
  name: string;
  parent_id: string | null;
  version: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMNS = 'id, slug, name, parent_id, version, created_at, updated_at, deleted_at';
/** Deleted categories keep their row (a versioned tombstone); these see only the live ones. */
const LIVE = 'deleted_at IS NULL';

function toSnapshot(row: CategoryRow): CategorySnapshot {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    parentId: row.parent_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: Number(row.version),
    ...(row.deleted_at === null ? {} : { deleted: true as const }),
  };
}

/**
 * A live category. With `lock`, its row is locked until commit: product commands and imports
 * lock the category they file a product under FOR SHARE, so a delete and a product moving in
 * never both succeed.
 */
export async function loadCategory(
  client: Queryable,
  id: string,
  lock: boolean,
): Promise<CategorySnapshot | undefined> {
  const { rows } = await client.query<CategoryRow>(
    `SELECT ${COLUMNS} FROM categories WHERE id = $1 AND ${LIVE} ${lock ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] === undefined ? undefined : toSnapshot(rows[0]);
}

/**
 * Serializes changes to the shape of the tree: two concurrent moves (A under B, B under A) each
 * look acyclic alone, so they must not decide at the same time.
 */
export async function lockTree(client: PoolClient): Promise<void> {
  await client.query(
    "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.category-tree'))",
  );
}

/**
 * The category and its ancestors, nearest first; empty when it does not exist or is deleted.
 * The ancestors of a live category are live: a category with children cannot be deleted.
 */
export async function lineage(client: PoolClient, id: string): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `WITH RECURSIVE up(id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM categories WHERE id = $1 AND ${LIVE}
       UNION ALL
       SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
        WHERE up.depth < 1000)
     SELECT id FROM up ORDER BY depth`,
    [id],
  );
  return rows.map((r) => r.id);
}

/**
 * Categories with an id greater than `after`, in id order (keyset pages for rebuilds). Deleted
 * ones are included, marked `deleted`, so a rebuild writes their tombstones as events would.
 */
export async function loadCategoryPage(
  db: Queryable,
  after: string | null,
  limit: number,
): Promise<CategorySnapshot[]> {
  const { rows } = await db.query<CategoryRow>(
    `SELECT ${COLUMNS} FROM categories
      ${after === null ? '' : 'WHERE id > $2::uuid'} ORDER BY id LIMIT $1`,
    after === null ? [limit] : [limit, after],
  );
  return rows.map(toSnapshot);
}

export async function insertCategory(client: PoolClient, c: CategorySnapshot): Promise<void> {
  await client.query(
    `INSERT INTO categories (id, slug, name, parent_id, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.id, c.slug, c.name, c.parentId, c.version, c.createdAt, c.updatedAt],
  );
}

export async function updateCategory(
  client: PoolClient,
  previous: CategorySnapshot,
  next: CategorySnapshot,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE categories SET slug = $3, name = $4, parent_id = $5, version = $6, updated_at = $7,
            deleted_at = $8
      WHERE id = $1 AND version = $2`,
    [
      next.id,
      previous.version,
      next.slug,
      next.name,
      next.parentId,
      next.version,
      next.updatedAt,
      next.deleted === true ? next.updatedAt : null,
    ],
  );
  return rowCount === 1;
}

/** Products are counted up to this many: enough to say "not empty", bounded on a huge category. */
export const LIVE_PRODUCT_COUNT_CAP = 1000;

/** What a delete must find empty: live children and live products filed under the category. */
export async function loadContents(client: PoolClient, id: string): Promise<CategoryContents> {
  const { rows } = await client.query<{ children: string; products: string }>(
    `SELECT (SELECT count(*) FROM categories WHERE parent_id = $1 AND ${LIVE}) AS children,
            (SELECT count(*) FROM (SELECT 1 FROM products WHERE category_id = $1
                                      AND status <> 'deleted' LIMIT $2) AS p) AS products`,
    [id, LIVE_PRODUCT_COUNT_CAP],
  );
  const liveProducts = Number(rows[0]?.products ?? 0);
  return {
    children: Number(rows[0]?.children ?? 0),
    liveProducts,
    ...(liveProducts >= LIVE_PRODUCT_COUNT_CAP ? { capped: true } : {}),
  };
}

/** Every live category (admin listing, strongly consistent); the caller orders them as a tree. */
export async function loadLiveCategories(db: Queryable): Promise<CategorySnapshot[]> {
  const { rows } = await db.query<CategoryRow>(
    `SELECT ${COLUMNS} FROM categories WHERE ${LIVE} ORDER BY id`,
  );
  return rows.map(toSnapshot);
}
