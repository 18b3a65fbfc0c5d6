import { randomUUID } from 'node:crypto';
import t from 'tap';
import { writeHarness, type WriteHarness } from '../../../test/support/catalog-write.js';

async function createCategory(h: WriteHarness, payload: Record<string, unknown>) {
  const res = await h.admin({ method: 'POST', url: '/admin/v1/categories', payload });
  return { res, id: res.json<{ id: string }>().id };
}

const move = (h: WriteHarness, id: string, parentId: string | null, ifMatch?: string) =>
  h.admin({
    method: 'PATCH',
    url: `/admin/v1/categories/${id}`,
    payload: { parentId },
    headers: ifMatch ? { 'if-match': ifMatch } : {},
  });

t.test('A tree is built with one outbox event per change', async (t) => {
  const h = await writeHarness(t);
  const shoes = await createCategory(h, { slug: 'shoes', name: 'Shoes' });
  t.equal(shoes.res.statusCode, 201);
  t.equal(shoes.res.headers.location, `/admin/v1/categories/${shoes.id}`);
  const running = await createCategory(h, { slug: 'running', name: 'Running', parentId: shoes.id });
  t.equal(running.res.statusCode, 201);

  const got = await h.admin({ method: 'GET', url: `/admin/v1/categories/${running.id}` });
  t.match(got.json(), {
    id: running.id,
    slug: 'running',
    name: 'Running',
    parentId: shoes.id,
    version: 1,
  });
  t.equal(got.headers.etag, '"1"');

  const renamed = await h.admin({
    method: 'PATCH',
    url: `/admin/v1/categories/${running.id}`,
    payload: { name: 'Running shoes' },
    headers: { 'if-match': '"1"' },
  });
  t.same(renamed.json(), { id: running.id, version: 2 });
  const events = await h.outboxEvents(running.id);
  t.same(
    events.map((e) => e.event_type),
    ['CategoryCreated', 'CategoryChanged'],
  );
  t.match(events[1]?.payload, {
    aggregate: 'category',
    snapshot: { name: 'Running shoes', version: 2 },
    changes: { fields: ['name'] },
  });
});

t.test('Slugs are unique among siblings, not across the tree', async (t) => {
  const h = await writeHarness(t);
  const men = await createCategory(h, { slug: 'men', name: 'Men' });
  const women = await createCategory(h, { slug: 'women', name: 'Women' });
  t.equal(
    (await createCategory(h, { slug: 'shoes', name: 'Shoes', parentId: men.id })).res.statusCode,
    201,
  );
  t.equal(
    (await createCategory(h, { slug: 'shoes', name: 'Shoes', parentId: women.id })).res.statusCode,
    201,
  );
  const dup = await createCategory(h, { slug: 'shoes', name: 'Other shoes', parentId: men.id });
  t.equal(dup.res.statusCode, 409);
  t.equal(dup.res.json().code, 'slug_taken');
  const rootDup = await createCategory(h, { slug: 'men', name: 'Men again' });
  t.equal(rootDup.res.statusCode, 409, 'roots are siblings too');
  t.equal((await h.outboxEvents()).length, 4);
});

t.test('A category cannot go under itself or its descendants', async (t) => {
  const h = await writeHarness(t);
  const a = await createCategory(h, { slug: 'a', name: 'A' });
  const b = await createCategory(h, { slug: 'b', name: 'B', parentId: a.id });
  const c = await createCategory(h, { slug: 'c', name: 'C', parentId: b.id });
  for (const target of [a.id, b.id, c.id]) {
    const res = await move(h, a.id, target);
    t.equal(res.statusCode, 409, `a under ${target}`);
    t.equal(res.json().code, 'category_cycle');
  }
  t.equal((await move(h, c.id, null)).statusCode, 200, 'moving to the root is fine');
  t.equal((await move(h, a.id, c.id)).statusCode, 200, 'c is no longer a descendant of a');
});

t.test('When two moves would form a cycle together, then only one succeeds', async (t) => {
  const h = await writeHarness(t);
  const x = await createCategory(h, { slug: 'x', name: 'X' });
  const y = await createCategory(h, { slug: 'y', name: 'Y' });
  for (let round = 0; round < 5; round++) {
    const results = await Promise.all([move(h, x.id, y.id), move(h, y.id, x.id)]);
    t.same(results.map((r) => r.statusCode).sort(), [200, 409]);
    await Promise.all([move(h, x.id, null), move(h, y.id, null)]);
  }
  const { rows } = await h.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM categories a JOIN categories b ON a.parent_id = b.id AND b.parent_id = a.id',
  );
  t.equal(Number(rows[0]?.n), 0, 'no two categories are each other’s parent');
});

t.test('Unknown parents, stale versions, bad slugs and unknown ids', async (t) => {
  const h = await writeHarness(t);
  const orphan = await createCategory(h, {
    slug: 'orphan',
    name: 'Orphan',
    parentId: randomUUID(),
  });
  t.equal(orphan.res.statusCode, 422);
  t.match(orphan.res.json(), { code: 'unknown_category', errors: [{ field: 'parentId' }] });
  const root = await createCategory(h, { slug: 'root', name: 'Root' });
  t.equal((await move(h, root.id, null, '"7"')).statusCode, 409);
  for (const slug of ['Has Space', 'UPPER', "x'; DROP TABLE categories;--", '-lead', '']) {
    const res = await createCategory(h, { slug, name: 'Bad' });
    t.equal(res.res.statusCode, 400, `slug ${JSON.stringify(slug)}`);
  }
  t.equal(
    (
      await h.admin({
        method: 'PATCH',
        url: `/admin/v1/categories/${randomUUID()}`,
        payload: { name: 'x' },
      })
    ).statusCode,
    404,
  );
  t.equal(
    (await h.admin({ method: 'GET', url: `/admin/v1/categories/${randomUUID()}` })).statusCode,
    404,
  );
  const hostileName = "Shoes'); DELETE FROM categories; --";
  const hostile = await createCategory(h, { slug: 'hostile', name: hostileName });
  t.equal(hostile.res.statusCode, 201);
  t.equal(
    (await h.admin({ method: 'GET', url: `/admin/v1/categories/${hostile.id}` })).json<{
      name: string;
    }>().name,
    hostileName,
  );
});

t.test('Products reference existing categories', async (t) => {
  const h = await writeHarness(t);
  const shoes = await createCategory(h, { slug: 'shoes', name: 'Shoes' });
  const res = await h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: { sku: 'CAT-1', name: 'Shoe', categoryId: shoes.id },
  });
  t.equal(res.statusCode, 201);
  const got = await h.admin({
    method: 'GET',
    url: `/admin/v1/products/${res.json<{ id: string }>().id}`,
  });
  t.equal(got.json<{ categoryId: string }>().categoryId, shoes.id);
});

t.test(
  'When a create reuses an existing id as its own parent, then 409 and nothing changes',
  async (t) => {
    const h = await writeHarness(t);
    const shoes = await createCategory(h, { slug: 'shoes', name: 'Shoes' });
    const outboxBefore = (await h.outboxEvents()).length;
    const again = await createCategory(h, {
      id: shoes.id,
      slug: 'shoes-2',
      name: 'Shoes again',
      parentId: shoes.id,
    });
    t.equal(again.res.statusCode, 409);
    t.match(again.res.headers['content-type'], /application\/problem\+json/);
    t.equal((await h.outboxEvents()).length, outboxBefore);
  },
);

t.test('When an id is not canonical, then 400 and it is never a second identity', async (t) => {
  const h = await writeHarness(t);
  const id = randomUUID();
  for (const spelling of [id.toUpperCase(), `urn:uuid:${id}`]) {
    const created = await createCategory(h, { id: spelling, slug: 'odd', name: 'Odd' });
    t.equal(created.res.statusCode, 400, spelling);
    const parent = await createCategory(h, { slug: 'child', name: 'Child', parentId: spelling });
    t.equal(parent.res.statusCode, 400, spelling);
    const path = await h.admin({ method: 'GET', url: `/admin/v1/categories/${spelling}` });
    t.equal(path.statusCode, 400, spelling);
  }
});

t.test('When a create carries If-Match, then 412 and nothing is created', async (t) => {
  const h = await writeHarness(t);
  const res = await h.admin({
    method: 'POST',
    url: '/admin/v1/categories',
    payload: { slug: 'cond', name: 'Conditional' },
    headers: { 'if-match': '"1"' },
  });
  t.equal(res.statusCode, 412);
  t.match(res.json(), { code: 'precondition_failed' });
  t.equal((await h.outboxEvents()).length, 0);
});
