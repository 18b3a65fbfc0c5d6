import { randomUUID } from 'node:crypto';
import t from 'tap';
import { waitFor } from '../../../test/support/wait.js';
import {
  sampleProduct,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';

async function createCategory(h: WriteHarness, payload: Record<string, unknown>) {
  const res = await h.admin({ method: 'POST', url: '/admin/v1/categories', payload });
  if (res.statusCode !== 201) throw new Error(`category create failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

const remove = (h: WriteHarness, id: string, headers: Record<string, string> = {}) =>
  h.admin({ method: 'DELETE', url: `/admin/v1/categories/${id}`, headers });

const createProduct = (h: WriteHarness, overrides: Record<string, unknown>) =>
  h.admin({ method: 'POST', url: '/admin/v1/products', payload: sampleProduct(overrides) });

interface Listed {
  id: string;
  slug: string;
  parentId: string | null;
  depth: number;
  version: number;
}
const listCategories = async (h: WriteHarness) => {
  const res = await h.admin({ method: 'GET', url: '/admin/v1/categories' });
  if (res.statusCode !== 200) throw new Error(`list failed: ${res.body}`);
  return res.json<{ categories: Listed[] }>().categories;
};

t.test('The admin tree lists live categories flat, parents first, with depth', async (t) => {
  const h = await writeHarness(t);
  t.same(await listCategories(h), [], 'an empty tree');
  const women = await createCategory(h, { slug: 'women', name: 'Women' });
  const men = await createCategory(h, { slug: 'men', name: 'Men' });
  const running = await createCategory(h, { slug: 'running', name: 'Running', parentId: men });
  const hiking = await createCategory(h, { slug: 'hiking', name: 'Hiking', parentId: men });
  const trail = await createCategory(h, { slug: 'trail', name: 'Trail', parentId: running });
  const listed = await listCategories(h);
  t.same(
    listed.map((c) => [c.id, c.parentId, c.depth]),
    [
      [men, null, 0],
      [hiking, men, 1],
      [running, men, 1],
      [trail, running, 2],
      [women, null, 0],
    ],
  );
  const stored = await h.admin({ method: 'GET', url: `/admin/v1/categories/${trail}` });
  t.same(listed[3], { ...stored.json<object>(), depth: 2 }, 'an item is the stored category');

  t.equal((await remove(h, trail)).statusCode, 200);
  t.notOk(
    (await listCategories(h)).some((c) => c.id === trail),
    'a deleted category is gone at once (strongly consistent)',
  );
});

t.test('When an empty category is deleted, then 200, one event, and it is gone', async (t) => {
  const h = await writeHarness(t);
  const shoes = await createCategory(h, { slug: 'shoes', name: 'Shoes' });
  const res = await remove(h, shoes);
  t.equal(res.statusCode, 200);
  t.same(res.json(), { id: shoes, version: 2 });
  t.equal(res.headers['x-aisle-version'], '2');
  t.equal(res.headers.etag, '"2"');
  const events = await h.outboxEvents(shoes);
  t.same(
    events.map((e) => [e.event_type, e.aggregate_version]),
    [
      ['CategoryCreated', '1'],
      ['CategoryDeleted', '2'],
    ],
  );
  t.match(events[1]?.payload, {
    aggregate: 'category',
    type: 'CategoryDeleted',
    categoryId: shoes,
    version: 2,
    snapshot: { id: shoes, slug: 'shoes', version: 2, deleted: true },
    changes: { fields: ['deleted'] },
  });

  t.equal((await h.admin({ method: 'GET', url: `/admin/v1/categories/${shoes}` })).statusCode, 404);
  t.equal((await remove(h, shoes)).statusCode, 404, 'a second delete finds nothing');
  const patch = await h.admin({
    method: 'PATCH',
    url: `/admin/v1/categories/${shoes}`,
    payload: { name: 'Back' },
  });
  t.equal(patch.statusCode, 404, 'a deleted category cannot be changed');
  t.equal((await remove(h, randomUUID())).statusCode, 404);
  t.equal((await h.outboxEvents(shoes)).length, 2, 'refusals wrote nothing');

  // Its id stays taken (the version line goes on in the read models); its slug is free again.
  const sameId = await h.admin({
    method: 'POST',
    url: '/admin/v1/categories',
    payload: { id: shoes, slug: 'shoes-again', name: 'Shoes' },
  });
  t.equal(sameId.statusCode, 409);
  t.type(await createCategory(h, { slug: 'shoes', name: 'Shoes' }), 'string');
});

t.test(
  'When a category is not empty, then 409 category_not_empty and nothing changes',
  async (t) => {
    const h = await writeHarness(t);
    const parent = await createCategory(h, { slug: 'parent', name: 'Parent' });
    const child = await createCategory(h, { slug: 'child', name: 'Child', parentId: parent });
    const withChild = await remove(h, parent);
    t.equal(withChild.statusCode, 409);
    t.match(withChild.headers['content-type'], /application\/problem\+json/);
    t.match(withChild.json(), {
      code: 'category_not_empty',
      type: 'https://aisle.dev/problems/category_not_empty',
      detail: /1 child category/,
    });

    const product = await createProduct(h, { categoryId: child });
    t.equal(product.statusCode, 201);
    const withProduct = await remove(h, child);
    t.equal(withProduct.statusCode, 409);
    t.match(withProduct.json(), { code: 'category_not_empty', detail: /1 live product/ });
    t.equal((await h.outboxEvents(child)).length, 1, 'no event for a refused delete');

    // A deleted product does not hold its category; a moved-away one neither.
    const productId = product.json<{ id: string }>().id;
    t.equal(
      (await h.admin({ method: 'DELETE', url: `/admin/v1/products/${productId}` })).statusCode,
      200,
    );
    const moved = await createProduct(h, { categoryId: child });
    const movedId = moved.json<{ id: string }>().id;
    const patch = await h.admin({
      method: 'PATCH',
      url: `/admin/v1/products/${movedId}`,
      payload: { categoryId: null },
    });
    t.equal(patch.statusCode, 200);
    t.equal((await remove(h, child)).statusCode, 200);
    t.equal(
      (await remove(h, parent)).statusCode,
      200,
      'the parent is empty once its child is gone',
    );
  },
);

t.test('Nothing can be filed under a deleted category', async (t) => {
  const h = await writeHarness(t);
  const gone = await createCategory(h, { slug: 'gone', name: 'Gone' });
  const other = await createCategory(h, { slug: 'other', name: 'Other' });
  t.equal((await remove(h, gone)).statusCode, 200);

  const child = await h.admin({
    method: 'POST',
    url: '/admin/v1/categories',
    payload: { slug: 'child', name: 'Child', parentId: gone },
  });
  t.equal(child.statusCode, 422);
  t.match(child.json(), { code: 'unknown_category', errors: [{ field: 'parentId' }] });
  const moveUnder = await h.admin({
    method: 'PATCH',
    url: `/admin/v1/categories/${other}`,
    payload: { parentId: gone },
  });
  t.equal(moveUnder.statusCode, 422);

  const created = await createProduct(h, { categoryId: gone });
  t.equal(created.statusCode, 422);
  t.match(created.json(), { code: 'unknown_category', errors: [{ field: 'categoryId' }] });
  const product = (await createProduct(h, {})).json<{ id: string }>().id;
  const moved = await h.admin({
    method: 'PATCH',
    url: `/admin/v1/products/${product}`,
    payload: { categoryId: gone },
  });
  t.equal(moved.statusCode, 422);

  const imported = await h.admin({
    method: 'POST',
    url: '/admin/v1/imports',
    headers: { 'content-type': 'application/x-ndjson' },
    payload: [gone, other]
      .map((categoryId) => JSON.stringify(sampleProduct({ categoryId })))
      .join('\n'),
  });
  t.equal(imported.statusCode, 202);
  const importId = imported.json<{ importId: string }>().importId;
  const done = await waitFor('the import to finish', async () => {
    const res = await h.admin({ method: 'GET', url: `/admin/v1/imports/${importId}` });
    const view = res.json<{ done: boolean; accepted: number; rejections: { line: number }[] }>();
    return view.done ? view : undefined;
  });
  t.match(done, { accepted: 1, rejections: [{ line: 1, reason: /no category/ }] }, 'an import too');
});

t.test('If-Match and Idempotency-Key hold on a delete', async (t) => {
  const h = await writeHarness(t);
  const id = await createCategory(h, { slug: 'cond', name: 'Conditional' });
  const stale = await remove(h, id, { 'if-match': '"7"' });
  t.equal(stale.statusCode, 409);
  t.equal(stale.json<{ code: string }>().code, 'version_mismatch');
  const first = await remove(h, id, { 'if-match': '"1"', 'idempotency-key': 'delete-cond' });
  t.equal(first.statusCode, 200);
  const retry = await remove(h, id, { 'if-match': '"1"', 'idempotency-key': 'delete-cond' });
  t.equal(retry.statusCode, 200, 'a retry gets the first answer, not a 404');
  t.same(retry.json(), first.json());
  t.equal(retry.headers['x-aisle-version'], '2');
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal((await h.outboxEvents(id)).length, 2, 'one delete event');
  const otherTarget = await createCategory(h, { slug: 'other', name: 'Other' });
  const reused = await remove(h, otherTarget, { 'idempotency-key': 'delete-cond' });
  t.equal(reused.statusCode, 422, 'the key with another request');
  t.equal(reused.json<{ code: string }>().code, 'idempotency_key_reused');
});

t.test(
  'When a delete races a product filed under the category, then never both succeed',
  async (t) => {
    const h = await writeHarness(t);
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const id = await createCategory(h, { slug: `race-${round}`, name: `Race ${round}` });
      const [deleted, filed] = await Promise.all([
        remove(h, id),
        createProduct(h, { categoryId: id }),
      ]);
      outcomes.add(`${deleted.statusCode}/${filed.statusCode}`);
      t.ok(
        (deleted.statusCode === 200 && filed.statusCode === 422) ||
          (deleted.statusCode === 409 && filed.statusCode === 201),
        `round ${round}: delete ${deleted.statusCode}, product ${filed.statusCode}`,
      );
    }
    const { rows } = await h.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM products p JOIN categories c ON c.id = p.category_id
        WHERE c.deleted_at IS NOT NULL AND p.status <> 'deleted'`,
    );
    t.equal(
      Number(rows[0]?.n),
      0,
      `no live product in a deleted category (${[...outcomes].join(', ')})`,
    );
  },
);
