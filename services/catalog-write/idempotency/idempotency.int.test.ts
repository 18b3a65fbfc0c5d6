import t from 'tap';
import { withTransaction } from '../../../shared/stores/postgres.js';
import { claimKey, completeKey } from '../../../shared/write-model/idempotency/store.js';
import {
  sampleProduct,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';

const post = (h: WriteHarness, key: string, payload: Record<string, unknown>, token?: string) =>
  h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload,
    headers: { 'idempotency-key': key, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

t.test(
  'When a request is retried with the same key and body, then the first response comes back and no second event',
  async (t) => {
    const h = await writeHarness(t);
    const body = sampleProduct();
    const first = await post(h, 'create-1', body);
    t.equal(first.statusCode, 201);
    const retry = await post(h, 'create-1', { ...body });
    t.equal(retry.statusCode, 201);
    t.same(retry.json(), first.json());
    t.equal(retry.headers.location, first.headers.location);
    t.equal(retry.headers['x-aisle-version'], '1');
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal((await h.outboxEvents()).length, 1);
  },
);

t.test('Key order in the body does not make another request', async (t) => {
  const h = await writeHarness(t);
  const first = await post(h, 'k', { sku: 'ORDER-1', name: 'A', brand: 'B' });
  const again = await post(h, 'k', { brand: 'B', name: 'A', sku: 'ORDER-1' });
  t.equal(again.statusCode, first.statusCode);
  t.equal(again.headers['idempotent-replayed'], 'true');
});

t.test('When the same key comes with another body, then 422 and nothing runs', async (t) => {
  const h = await writeHarness(t);
  await post(h, 'create-2', sampleProduct());
  const other = await post(h, 'create-2', sampleProduct());
  t.equal(other.statusCode, 422);
  t.equal(other.json().code, 'idempotency_key_reused');
  t.equal((await h.outboxEvents()).length, 1);
});

t.test('When concurrent requests share a key, then exactly one executes', async (t) => {
  const h = await writeHarness(t);
  const body = sampleProduct();
  const results = await Promise.all(Array.from({ length: 8 }, () => post(h, 'race', body)));
  const statuses = results.map((r) => r.statusCode);
  t.ok(
    statuses.every((s) => s === 201 || s === 409),
    statuses.join(','),
  );
  t.equal((await h.outboxEvents()).length, 1, 'one product, one event');
  const ids = new Set(
    results.filter((r) => r.statusCode === 201).map((r) => r.json<{ id: string }>().id),
  );
  t.equal(ids.size, 1, 'every 201 names the same product');
  const busy = results.find((r) => r.statusCode === 409);
  if (busy) t.equal(busy.json().code, 'idempotency_key_in_use');
});

t.test('A refused command is stored too: its retry gets the same refusal', async (t) => {
  const h = await writeHarness(t);
  const body = sampleProduct();
  await post(h, 'first', body);
  const taken = await post(h, 'second', body);
  t.equal(taken.statusCode, 409);
  const retry = await post(h, 'second', body);
  t.equal(retry.statusCode, 409);
  t.same(retry.json(), taken.json());
  t.equal(retry.headers['idempotent-replayed'], 'true');
});

t.test('Keys belong to one caller and expire', async (t) => {
  const other = 'second-admin-token-00000002';
  const h = await writeHarness(t, { ADMIN_TOKENS: `admin-token-for-tests-0001,${other}` });
  const body = sampleProduct();
  await post(h, 'shared-key', body);
  const second = await post(h, 'shared-key', body, other);
  t.equal(second.statusCode, 409, 'another caller runs its own request (here: the SKU is taken)');
  t.equal(second.json().code, 'sku_taken');

  await h.pool.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'");
  const afterExpiry = await post(h, 'shared-key', sampleProduct());
  t.equal(afterExpiry.statusCode, 201, 'an expired key is free again');
});

t.test('Stored responses are written in the command transaction', async (t) => {
  const h = await writeHarness(t);
  await post(h, 'atomic', sampleProduct());
  const { rows } = await h.pool.query<{ state: string; response_status: number }>(
    "SELECT state, response_status FROM idempotency_keys WHERE key = 'atomic'",
  );
  t.same(rows, [{ state: 'completed', response_status: 201 }]);
  t.equal(
    (await post(h, 'x'.repeat(256), sampleProduct())).statusCode,
    400,
    'over-long keys are refused',
  );
});

t.test(
  'When a slow request loses its key to a retry, then only one of them commits its command',
  async (t) => {
    const h = await writeHarness(t);
    const ref = { principal: 'admin', key: 'slow-one' };
    const first = await claimKey(h.pool, ref, 'hash', 3600);
    if (first.kind !== 'claimed') throw new Error(`first claim: ${first.kind}`);
    // The first request runs so long that its key looks abandoned, and a retry takes it over.
    await h.pool.query(
      `UPDATE idempotency_keys SET locked_at = now() - interval '1 hour' WHERE key = $1`,
      [ref.key],
    );
    const retry = await claimKey(h.pool, ref, 'hash', 3600);
    if (retry.kind !== 'claimed') throw new Error(`retry claim: ${retry.kind}`);
    await h.pool.query('CREATE TABLE command_runs (by text)');
    const run = (by: string, token: string) =>
      withTransaction(h.pool, async (client) => {
        await client.query('INSERT INTO command_runs VALUES ($1)', [by]);
        await completeKey(client, { ...ref, token }, { status: 201, headers: {}, body: by }, true);
      });
    await run('retry', retry.token);
    await t.rejects(run('first', first.token), { code: 'idempotency_key_in_use' });
    const { rows } = await h.pool.query<{ by: string }>('SELECT by FROM command_runs');
    t.same(rows, [{ by: 'retry' }], 'the command ran once');
    const replay = await claimKey(h.pool, ref, 'hash', 3600);
    t.match(replay, { kind: 'replay', response: { status: 201, body: 'retry' } });
  },
);
