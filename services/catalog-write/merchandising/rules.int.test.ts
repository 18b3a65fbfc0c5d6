import { randomUUID } from 'node:crypto';
import t from 'tap';
import { writeHarness, type WriteHarness } from '../../../test/support/catalog-write.js';
import { createProduct, merchandisingState } from '../../../test/support/merchandising.js';

const RULES = '/admin/v1/search/rules';

const create = (h: WriteHarness, payload: unknown, headers: Record<string, string> = {}) =>
  h.admin({ method: 'POST', url: RULES, payload: payload as object, headers });

const patch = (
  h: WriteHarness,
  id: string,
  payload: unknown,
  headers: Record<string, string> = {},
) => h.admin({ method: 'PATCH', url: `${RULES}/${id}`, payload: payload as object, headers });

async function createdId(h: WriteHarness, payload: unknown): Promise<string> {
  const res = await create(h, payload);
  if (res.statusCode !== 201) throw new Error(`rule create failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

const list = async (h: WriteHarness) =>
  (await h.admin({ method: 'GET', url: RULES })).json<{
    items: { id: string; version: number }[];
  }>().items;

t.test('A rule is created, read, changed and deleted, each with its full event', async (t) => {
  const h = await writeHarness(t);
  const [a, b, c] = [await createProduct(h), await createProduct(h), await createProduct(h)];
  const body = { query: 'Running Shoes', match: 'exact', pin: [a, b], hide: [c] };
  const created = await create(h, body);
  t.equal(created.statusCode, 201);
  const { id, version } = created.json<{ id: string; version: number }>();
  t.equal(version, 1);
  t.equal(created.headers.location, `${RULES}/${id}`);
  t.equal(created.headers['x-aisle-version'], '1');

  const got = await h.admin({ method: 'GET', url: `${RULES}/${id}` });
  t.equal(got.headers.etag, '"1"');
  const stored = got.json<Record<string, unknown>>();
  t.match(stored, { ...body, id, version: 1, activeFrom: null, activeTo: null });

  const changed = await patch(
    h,
    id,
    { match: 'phrase', activeFrom: '2026-12-01T00:00:00+01:00', pin: [b] },
    { 'if-match': '"1"' },
  );
  t.equal(changed.statusCode, 200);
  t.strictSame(changed.json(), { id, version: 2 });
  t.equal(changed.headers['x-aisle-version'], '2');

  const removed = await h.admin({
    method: 'DELETE',
    url: `${RULES}/${id}`,
    headers: { 'if-match': '2' },
  });
  t.strictSame(removed.json(), { id, version: 3 });
  t.equal((await h.admin({ method: 'GET', url: `${RULES}/${id}` })).statusCode, 404);
  t.equal((await patch(h, id, { query: 'x' })).statusCode, 404);
  t.equal((await h.admin({ method: 'DELETE', url: `${RULES}/${id}` })).statusCode, 404);
  t.strictSame(await list(h), []);

  const events = await h.outboxEvents(id);
  t.strictSame(
    events.map((e) => [e.event_type, e.aggregate_version]),
    [
      ['SearchRuleCreated', '1'],
      ['SearchRuleChanged', '2'],
      ['SearchRuleDeleted', '3'],
    ],
  );
  t.strictSame(
    events[0]?.payload['snapshot'],
    stored,
    'the created event carries the rule as read',
  );
  t.match(events[1]?.payload, {
    aggregate: 'search-rule',
    ruleId: id,
    version: 2,
    changes: { fields: ['activeFrom', 'match', 'pin'] },
    snapshot: {
      id,
      version: 2,
      query: 'Running Shoes',
      match: 'phrase',
      pin: [b],
      hide: [c],
      activeFrom: '2026-11-30T23:00:00.000Z',
      activeTo: null,
      createdAt: stored['createdAt'],
    },
  });
  t.match(events[2]?.payload, {
    type: 'SearchRuleDeleted',
    changes: { fields: ['deleted'] },
    snapshot: { id, version: 3, deleted: true, pin: [b], hide: [c], match: 'phrase' },
  });
  const { rows } = await h.pool.query<{ version: string; deleted_at: Date | null }>(
    'SELECT version, deleted_at FROM search_rules WHERE id = $1',
    [id],
  );
  t.equal(rows[0]?.version, '3', 'the tombstone row remains');
  t.ok(rows[0]?.deleted_at instanceof Date);
});

t.test('The list holds live rules, the most recently changed first', async (t) => {
  const h = await writeHarness(t);
  const p = await createProduct(h);
  const first = await createdId(h, { query: 'boots', match: 'exact', pin: [p] });
  const second = await createdId(h, { query: 'sandals', match: 'phrase', hide: [p] });
  const third = await createdId(h, { query: 'hats', match: 'exact', hide: [p] });
  t.strictSame(
    (await list(h)).map((r) => r.id),
    [third, second, first],
  );
  await patch(h, first, { query: 'winter boots' });
  await h.admin({ method: 'DELETE', url: `${RULES}/${third}` });
  const items = await list(h);
  t.strictSame(
    items.map((r) => [r.id, r.version]),
    [
      [first, 2],
      [second, 1],
    ],
  );
  t.match(items[1], { query: 'sandals', match: 'phrase', pin: [], hide: [p] });
});

t.test('Stale versions are 409 and unknown ids 404, changing nothing', async (t) => {
  const h = await writeHarness(t);
  const p = await createProduct(h);
  const id = await createdId(h, { query: 'boots', match: 'exact', pin: [p] });
  await patch(h, id, { query: 'winter boots' });
  const before = await merchandisingState(h.pool);
  const stale = await patch(h, id, { query: 'summer boots' }, { 'if-match': '"1"' });
  t.equal(stale.statusCode, 409);
  t.match(stale.json(), { code: 'version_mismatch' });
  t.equal(stale.headers.etag, '"2"');
  const staleDelete = await h.admin({
    method: 'DELETE',
    url: `${RULES}/${id}`,
    headers: { 'if-match': '"1"' },
  });
  t.equal(staleDelete.statusCode, 409);
  const unknown = randomUUID();
  for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
    const res = await h.admin({
      method,
      url: `${RULES}/${unknown}`,
      ...(method === 'PATCH' ? { payload: { query: 'x' } } : {}),
    });
    t.equal(res.statusCode, 404, method);
    t.match(res.json(), { code: 'not_found' });
  }
  t.equal((await h.admin({ method: 'GET', url: `${RULES}/not-a-uuid` })).statusCode, 400);
  t.strictSame(await merchandisingState(h.pool), before);
});

t.test('Idempotency-Key: a retried create answers the same rule and writes once', async (t) => {
  const h = await writeHarness(t);
  const p = await createProduct(h);
  const body = { query: 'boots', match: 'exact', pin: [p] };
  const headers = { 'idempotency-key': 'rule-create-1' };
  const first = await create(h, body, headers);
  const replay = await create(h, body, headers);
  t.equal(replay.statusCode, 201);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.strictSame(replay.json(), first.json());
  t.equal(replay.headers.location, first.headers.location);
  t.equal((await list(h)).length, 1);
  const id = first.json<{ id: string }>().id;
  const deleteHeaders = { 'idempotency-key': 'rule-delete-1' };
  const del = await h.admin({ method: 'DELETE', url: `${RULES}/${id}`, headers: deleteHeaders });
  const delAgain = await h.admin({
    method: 'DELETE',
    url: `${RULES}/${id}`,
    headers: deleteHeaders,
  });
  t.equal(delAgain.statusCode, 200, 'a retried delete answers as the first did');
  t.strictSame(delAgain.json(), del.json());
  t.equal((await h.outboxEvents(id)).length, 2);
  const conditional = await create(h, body, { 'if-match': '"1"' });
  t.equal(conditional.statusCode, 412, 'If-Match cannot hold on a create');
});

t.test('A product deleted after a rule named it does not block changes to the rule', async (t) => {
  const h = await writeHarness(t);
  const [kept, gone] = [await createProduct(h), await createProduct(h)];
  const id = await createdId(h, { query: 'boots', match: 'exact', pin: [kept, gone] });
  t.equal((await h.admin({ method: 'DELETE', url: `/admin/v1/products/${gone}` })).statusCode, 200);
  const res = await patch(h, id, { activeTo: '2030-01-01T00:00:00Z' });
  t.equal(res.statusCode, 200);
  const again = await patch(h, id, { hide: [gone], pin: [kept] });
  t.equal(again.statusCode, 200, 'moving an id the rule already named is no new reference');
});
