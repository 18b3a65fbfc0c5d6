import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import t from 'tap';
import {
  ADMIN_TOKEN,
  sampleProduct,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';
import { waitFor } from '../../../test/support/wait.js';
import type { ImportView as Progress } from '../../../shared/write-model/imports/repository.js';

const NDJSON = 'application/x-ndjson';

const ndjson = (...lines: unknown[]): string =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

async function startImport(
  h: WriteHarness,
  payload: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await h.admin({
    method: 'POST',
    url: '/admin/v1/imports',
    headers: { 'content-type': NDJSON, ...headers },
    payload,
  });
  if (res.statusCode !== 202) throw new Error(`import refused: ${res.statusCode} ${res.body}`);
  return res.json<{ importId: string }>().importId;
}

async function progress(h: WriteHarness, id: string): Promise<Progress> {
  const res = await h.admin({ method: 'GET', url: `/admin/v1/imports/${id}` });
  if (res.statusCode !== 200) throw new Error(`GET import: ${res.statusCode} ${res.body}`);
  return res.json<Progress>();
}

const finished = (h: WriteHarness, id: string, timeoutMs = 15_000): Promise<Progress> =>
  waitFor(
    `import ${id} to finish`,
    async () => {
      const p = await progress(h, id);
      return p.done ? p : undefined;
    },
    timeoutMs,
  );

async function count(h: WriteHarness, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await h.pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n);
}

async function idOfSku(h: WriteHarness, sku: string): Promise<string> {
  const { rows } = await h.pool.query<{ id: string }>('SELECT id FROM products WHERE sku = $1', [
    sku,
  ]);
  if (rows[0] === undefined) throw new Error(`no product ${sku}`);
  return rows[0].id;
}

/** A real HTTP POST whose body is streamed from `source`, chunked unless a length is given. */
async function postStream(
  h: WriteHarness,
  source: Readable,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const address = h.app.server.address() as AddressInfo | null;
  if (address === null) throw new Error('the app is not listening');
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port: address.port,
        method: 'POST',
        path: '/admin/v1/imports',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': NDJSON, ...headers },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    // A server that refuses mid-upload closes the connection: writing then fails, expectedly.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    source.on('error', reject);
    source.pipe(req);
  });
}

async function listen(h: WriteHarness): Promise<void> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
}

t.test(
  'When a file mixes good and bad lines, then the good ones are created and each bad one is reported by line',
  async (t) => {
    const h = await writeHarness(t);
    const categoryId = randomUUID();
    await h.pool.query(
      `INSERT INTO categories (id, slug, name, parent_id, version, created_at, updated_at)
       VALUES ($1, 'shoes', 'Shoes', NULL, 1, now(), now())`,
      [categoryId],
    );
    const existing = sampleProduct();
    t.equal(
      (await h.admin({ method: 'POST', url: '/admin/v1/products', payload: existing })).statusCode,
      201,
    );

    const firstId = randomUUID();
    const first = sampleProduct({
      id: firstId,
      price: { amountMinor: 1999, currency: 'EUR' },
      status: 'published',
      stock: { main: 5, north: 2 },
    });
    const second = sampleProduct({ categoryId, brand: null });
    const third = { sku: 'LAST-LINE', name: 'No newline at the end' };
    const payload = [
      JSON.stringify(first), // 1
      '{"sku": "BROKEN", "name":', // 2 invalid JSON
      '', // 3 blank
      JSON.stringify({ ...sampleProduct(), colour: 'red' }), // 4 schema
      JSON.stringify(sampleProduct({ status: 'published' })), // 5 rule: no price
      JSON.stringify(sampleProduct({ sku: first.sku, name: 'Twin' })), // 6 same SKU as line 1
      JSON.stringify(sampleProduct({ sku: existing.sku })), // 7 SKU taken in the database
      JSON.stringify(sampleProduct({ categoryId: randomUUID() })), // 8 unknown category
      `${JSON.stringify(second)}\r`, // 9 CRLF
      JSON.stringify(sampleProduct({ name: 'nul\u0000inside' })), // 10 U+0000
      '   \t', // 11 blank
      '[1,2]', // 12 not an object
      JSON.stringify(sampleProduct({ price: { amountMinor: '5', currency: 'EUR' } })), // 13
      JSON.stringify(third), // 14, no trailing newline
    ].join('\n');

    const res = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': NDJSON, 'x-correlation-id': 'import-test-1' },
      payload,
    });
    t.equal(res.statusCode, 202);
    const { importId } = res.json<{ importId: string }>();
    t.equal(res.headers.location, `/admin/v1/imports/${importId}`);

    const done = await finished(h, importId);
    t.match(done, {
      importId,
      state: 'completed',
      done: true,
      bytesTotal: Buffer.byteLength(payload),
      bytesProcessed: Buffer.byteLength(payload),
      linesRead: 14,
      accepted: 3,
      rejected: 9,
    });
    t.notOk('rejectionsTruncated' in done);
    t.notOk('error' in done);
    t.same(
      done.rejections.map((r) => r.line),
      [2, 4, 5, 6, 7, 8, 10, 12, 13],
      'blank lines are skipped, not rejected',
    );
    const reason = (line: number) => done.rejections.find((r) => r.line === line)?.reason ?? '';
    t.match(reason(2), /^invalid JSON: /);
    t.equal(reason(4), 'invalid product: colour: is not a known field');
    t.equal(reason(5), 'rule violated: price: a product needs a price to be published');
    t.equal(reason(6), `sku: SKU "${first.sku}" is already used on line 1 of this import`);
    t.equal(reason(7), `sku: SKU "${existing.sku}" is taken by another product`);
    t.match(reason(8), /^categoryId: no category [0-9a-f-]{36}$/);
    t.equal(reason(10), 'invalid product: name: must not contain NUL characters');
    t.equal(reason(12), 'invalid product: must be object');
    t.equal(reason(13), 'invalid product: price.amountMinor: must be integer');

    t.equal(await count(h, 'SELECT count(*) AS n FROM products'), 4, '3 imported + 1 before');
    const created: [string, Record<string, unknown>][] = [
      [firstId, first],
      [await idOfSku(h, second.sku), second],
      [await idOfSku(h, third.sku), third],
    ];
    for (const [id, sent] of created) {
      const events = await h.outboxEvents(id);
      t.equal(events.length, 1, `one outbox event for ${String(sent['sku'])}`);
      t.equal(events[0]?.event_type, 'ProductCreated');
      t.match(events[0]?.payload, { productId: id, version: 1, correlationId: 'import-test-1' });
      const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
      t.equal(got.statusCode, 200);
      t.same(got.json(), events[0]?.payload['snapshot'], 'stored as the event says');
      const { stock, ...fields } = sent;
      t.match(got.json(), fields, `${String(sent['sku'])} reads back as sent`);
      if (stock !== undefined) t.same(got.json().stock, { available: 7, byWarehouse: stock });
    }
    t.equal(
      await count(h, `SELECT count(*) AS n FROM outbox WHERE event_type = 'ProductCreated'`),
      4,
    );
  },
);

t.test(
  'When a line clashes with a product the checks did not see, then only that line is rejected',
  async (t) => {
    const h = await writeHarness(t);
    const res = await h.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct(),
    });
    const takenId = res.json<{ id: string }>().id;
    const a = sampleProduct();
    const b = sampleProduct();
    // The batch insert fails on the primary key; the savepoint retry keeps lines 1 and 3.
    const id = await startImport(h, ndjson(a, sampleProduct({ id: takenId }), b));
    const done = await finished(h, id);
    t.match(done, { state: 'completed', accepted: 2, rejected: 1 });
    t.same(done.rejections, [{ line: 2, reason: `id: a product with id ${takenId} exists` }]);
    t.equal(await count(h, 'SELECT count(*) AS n FROM products'), 3);
    t.equal((await h.outboxEvents()).length, 3, 'one event per product, none for the clash');
    t.equal((await h.outboxEvents(await idOfSku(h, a.sku))).length, 1);
    t.equal((await h.outboxEvents(await idOfSku(h, b.sku))).length, 1);
  },
);

t.test('When SKUs repeat across batches, then the later line is rejected', async (t) => {
  const h = await writeHarness(t, { IMPORT_BATCH_SIZE: '2' });
  const lines = [sampleProduct({ sku: 'DUP-1' }), sampleProduct(), sampleProduct({ sku: 'DUP-1' })];
  const done = await finished(h, await startImport(h, ndjson(...lines)));
  t.match(done, { state: 'completed', accepted: 2, rejected: 1, linesRead: 3 });
  t.same(done.rejections, [{ line: 3, reason: 'sku: SKU "DUP-1" is taken by another product' }]);
  t.equal((await h.outboxEvents()).length, 2);
});

t.test('When two imports race for the same SKUs, then each SKU is created once', async (t) => {
  const h = await writeHarness(t, { IMPORT_BATCH_SIZE: '200' });
  const lines = Array.from({ length: 1000 }, (_, i) => sampleProduct({ sku: `RACE-${i}` }));
  const payload = ndjson(...lines);
  const ids = await Promise.all([startImport(h, payload), startImport(h, payload)]);
  const results = await Promise.all(ids.map((id) => finished(h, id)));
  t.same(
    results.map((r) => r.state),
    ['completed', 'completed'],
  );
  t.equal(
    results.reduce((sum, r) => sum + r.accepted, 0),
    1000,
    'every SKU accepted once',
  );
  t.equal(
    results.reduce((sum, r) => sum + r.rejected, 0),
    1000,
    'and rejected once',
  );
  for (const r of results) {
    t.ok(r.rejections.every((x) => x.reason.endsWith('is taken by another product')));
  }
  t.equal(await count(h, 'SELECT count(*) AS n FROM products'), 1000);
  t.equal((await h.outboxEvents()).length, 1000);
});

t.test('When more than 1000 lines are rejected, then the first 1000 are listed', async (t) => {
  const h = await writeHarness(t);
  const payload = Array.from({ length: 1100 }, (_, i) => `not json ${i}`).join('\n');
  const done = await finished(h, await startImport(h, payload));
  t.match(done, { state: 'completed', accepted: 0, rejected: 1100, rejectionsTruncated: true });
  t.equal(done.rejections.length, 1000);
  t.equal(done.rejections[0]?.line, 1);
  t.equal(done.rejections[999]?.line, 1000);
});

t.test('When a line is longer than 1 MiB, then it alone is rejected', async (t) => {
  const h = await writeHarness(t);
  const long = JSON.stringify(sampleProduct({ description: 'x'.repeat(1024 * 1024) }));
  const ok = sampleProduct();
  const done = await finished(h, await startImport(h, ndjson(long, ok)));
  t.match(done, { state: 'completed', accepted: 1, rejected: 1 });
  t.same(done.rejections, [{ line: 1, reason: 'the line is longer than 1048576 bytes' }]);
});

t.test('When the database fails mid-import, then the import is marked failed', async (t) => {
  const h = await writeHarness(t);
  await h.pool.query('ALTER TABLE outbox RENAME TO outbox_away');
  t.teardown(() => h.pool.query('ALTER TABLE outbox_away RENAME TO outbox'));
  const done = await finished(h, await startImport(h, ndjson(sampleProduct())));
  t.match(done, { state: 'failed', done: true, accepted: 0, error: /outbox/ });
  t.ok('finishedAt' in done);
  t.equal(await count(h, 'SELECT count(*) AS n FROM products'), 0, 'the batch rolled back');
});

t.test(
  'When the body is empty, the type wrong or the token missing, then nothing starts',
  async (t) => {
    const h = await writeHarness(t);
    const empty = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': NDJSON },
      payload: '',
    });
    t.equal(empty.statusCode, 400);
    t.match(empty.headers['content-type'], /application\/problem\+json/);
    t.equal(empty.json().code, 'validation_failed');
    const noBody = await h.admin({ method: 'POST', url: '/admin/v1/imports' });
    t.equal(noBody.statusCode, 400);
    const json = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      payload: sampleProduct(),
    });
    t.equal(json.statusCode, 415);
    t.equal(json.json().code, 'unsupported_media_type');
    const jsonl = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': 'application/jsonl; charset=utf-8' },
      payload: ndjson(sampleProduct()),
    });
    t.equal(jsonl.statusCode, 202, 'application/jsonl is accepted too');
    await finished(h, jsonl.json<{ importId: string }>().importId);
    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': NDJSON },
      payload: ndjson(sampleProduct()),
    });
    t.equal(anonymous.statusCode, 401);
    const anonymousGet = await h.app.inject({
      method: 'GET',
      url: `/admin/v1/imports/${randomUUID()}`,
    });
    t.equal(anonymousGet.statusCode, 401);
    t.equal(await count(h, 'SELECT count(*) AS n FROM imports'), 1, 'only the jsonl import');
  },
);

t.test('When an import id is unknown or malformed, then 404 / 400', async (t) => {
  const h = await writeHarness(t);
  const unknown = await h.admin({ method: 'GET', url: `/admin/v1/imports/${randomUUID()}` });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'not_found');
  const malformed = await h.admin({ method: 'GET', url: '/admin/v1/imports/not-a-uuid' });
  t.equal(malformed.statusCode, 400);
});

t.test('When the body is over IMPORT_MAX_BYTES, then 413 and no trace is left', async (t) => {
  const spoolDir = t.testdir();
  const h = await writeHarness(t, { IMPORT_MAX_BYTES: '2048', IMPORT_SPOOL_DIR: spoolDir });
  const big = ndjson(...Array.from({ length: 40 }, () => sampleProduct()));
  t.ok(Buffer.byteLength(big) > 2048);

  const declared = await h.admin({
    method: 'POST',
    url: '/admin/v1/imports',
    headers: { 'content-type': NDJSON },
    payload: big,
  });
  t.equal(declared.statusCode, 413, 'refused on Content-Length');
  t.equal(declared.json().code, 'payload_too_large');

  await listen(h);
  async function* endless() {
    for (let i = 0; ; i += 1) yield `${JSON.stringify(sampleProduct())}\n`;
  }
  const streamed = await postStream(h, Readable.from(endless()));
  t.equal(streamed.status, 413, 'refused on the bytes counted, without Content-Length');
  t.match(streamed.headers['content-type'], /application\/problem\+json/);
  t.equal(JSON.parse(streamed.body).code, 'payload_too_large');

  t.equal(await count(h, 'SELECT count(*) AS n FROM imports'), 0);
  t.equal(await count(h, 'SELECT count(*) AS n FROM products'), 0);
  t.same(await readdir(spoolDir), [], 'the spool file is gone');

  const fits = await postStream(h, Readable.from([ndjson(sampleProduct())]));
  t.equal(fits.status, 202, 'a body under the limit still goes through');
  await finished(h, (JSON.parse(fits.body) as { importId: string }).importId);
  await waitFor('the spool file to be deleted', async () =>
    (await readdir(spoolDir)).length === 0 ? true : undefined,
  );
});

t.test(
  'When an import is retried with its Idempotency-Key, then it is not run twice',
  async (t) => {
    const h = await writeHarness(t);
    const payload = ndjson(sampleProduct(), sampleProduct(), sampleProduct());
    const headers = { 'idempotency-key': 'import-retry-1' };
    const firstId = await startImport(h, payload, headers);
    const retry = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': NDJSON, ...headers },
      payload,
    });
    t.equal(retry.statusCode, 202);
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal(retry.headers.location, `/admin/v1/imports/${firstId}`);
    t.same(retry.json(), { importId: firstId });
    await finished(h, firstId);
    const late = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': NDJSON, ...headers },
      payload,
    });
    t.same(late.json(), { importId: firstId }, 'also once the import has finished');
    const other = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': NDJSON, ...headers },
      payload: ndjson(sampleProduct()),
    });
    t.equal(other.statusCode, 422);
    t.equal(other.json().code, 'idempotency_key_reused');
    t.equal(await count(h, 'SELECT count(*) AS n FROM imports'), 1);
    t.equal(await count(h, 'SELECT count(*) AS n FROM products'), 3);
    t.equal((await h.outboxEvents()).length, 3);
  },
);

t.test('When 100,000 lines are streamed, then all are imported with bounded memory', async (t) => {
  const h = await writeHarness(t);
  await listen(h);
  const total = 100_000;
  async function* generate() {
    let chunk = '';
    for (let i = 1; i <= total; i += 1) {
      chunk += `${JSON.stringify({
        sku: `BULK-${String(i).padStart(6, '0')}`,
        name: `Bulk product ${i}`,
        brand: 'Stride',
        price: { amountMinor: 100 + (i % 5000), currency: 'EUR' },
        attributes: { color: i % 2 === 0 ? 'red' : 'blue', size: ['M', 'L'], weight_g: i % 900 },
        stock: { main: i % 50 },
      })}\n`;
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }

  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  t.teardown(() => clearInterval(sampler));

  const started = Date.now();
  const res = await postStream(h, Readable.from(generate()));
  t.equal(res.status, 202, res.body);
  const uploadedMs = Date.now() - started;
  const { importId } = JSON.parse(res.body) as { importId: string };
  // Progress moves while the import runs: some products are in, the import is not done.
  let midway: Progress | undefined;
  const done = await waitFor(
    'the 100k import to finish',
    async () => {
      const p = await progress(h, importId);
      if (!p.done && p.accepted > 0) midway ??= p;
      return p.done ? p : undefined;
    },
    120_000,
    200,
  );
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  t.match(done, { state: 'completed', linesRead: total, accepted: total, rejected: 0 });
  t.ok(midway !== undefined, 'progress was seen midway');
  if (midway !== undefined) {
    t.match(midway, { state: 'processing', done: false, bytesTotal: done.bytesTotal });
    t.ok(midway.accepted < total && midway.bytesProcessed < midway.bytesTotal);
    t.ok(midway.linesRead >= midway.accepted);
  }
  t.equal(done.bytesProcessed, done.bytesTotal);
  t.equal(await count(h, 'SELECT count(*) AS n FROM products'), total);
  t.equal(
    await count(h, `SELECT count(*) AS n FROM outbox WHERE event_type = 'ProductCreated'`),
    total,
  );
  t.equal(await count(h, 'SELECT count(DISTINCT aggregate_id) AS n FROM outbox'), total);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  t.comment(
    `100k import: ${mb(done.bytesTotal)} MB uploaded in ${uploadedMs} ms, done in ${seconds.toFixed(1)} s ` +
      `(${Math.round(total / seconds)} lines/s); RSS ${mb(startRss)} MB at start, peak ${mb(peakRss)} MB (+${mb(peakRss - startRss)} MB)`,
  );
  t.ok(peakRss - startRss < 300 * 1024 * 1024, 'RSS stays within 300 MB over the start');
});

t.test('When the database refuses one line, then only that line is rejected', async (t) => {
  const h = await writeHarness(t, { IMPORT_BATCH_SIZE: '10' });
  // A rule the validator does not know: the database is the one to refuse the line.
  await h.pool.query(`ALTER TABLE products ADD CONSTRAINT test_no_zebra CHECK (name <> 'Zebra')`);
  const good = [sampleProduct(), sampleProduct()];
  const id = await startImport(h, ndjson(good[0], sampleProduct({ name: 'Zebra' }), good[1]));
  const done = await finished(h, id);
  t.match(done, { state: 'completed', accepted: 2, rejected: 1 });
  t.equal(done.rejections[0]?.line, 2);
  t.match(done.rejections[0]?.reason, /^the database refused the line: .*test_no_zebra/);
});

t.test('When a line holds a lone surrogate, then that line alone is rejected', async (t) => {
  const h = await writeHarness(t);
  const id = await startImport(
    h,
    [JSON.stringify(sampleProduct()), '{"sku":"S-1","name":"bad \\ud800 text"}'].join('\n'),
  );
  const done = await finished(h, id);
  t.match(done, { state: 'completed', accepted: 1, rejected: 1 });
  t.match(done.rejections[0], { line: 2, reason: /name: must be well-formed Unicode/ });
});

t.test('When a UTF-16 file is imported, then its lines are rejected, not the import', async (t) => {
  const h = await writeHarness(t);
  const text = ndjson(sampleProduct(), sampleProduct());
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const res = await h.admin({
    method: 'POST',
    url: '/admin/v1/imports',
    headers: { 'content-type': NDJSON },
    payload: utf16,
  });
  t.equal(res.statusCode, 202);
  const done = await finished(h, res.json<{ importId: string }>().importId);
  t.match(done, { state: 'completed', accepted: 0 });
  t.ok(done.rejected >= 1, 'every line is refused');
  for (const r of done.rejections) t.notOk(r.reason.includes('\u0000'), `line ${r.line}: no NUL`);
});

t.test('When an import stopped making progress, then the sweep fails it clearly', async (t) => {
  const spoolDir = await mkdtemp(join(tmpdir(), 'aisle-sweep-'));
  t.teardown(() => rm(spoolDir, { recursive: true, force: true }));
  const h = await writeHarness(t, { IMPORT_STALE_AFTER_MS: '10000', IMPORT_SPOOL_DIR: spoolDir });
  const stale = randomUUID();
  await h.pool.query(
    `INSERT INTO imports (id, state, bytes_total, created_at, updated_at)
     VALUES ($1, 'processing', 10, now() - interval '1 hour', now() - interval '1 hour')`,
    [stale],
  );
  const orphan = join(spoolDir, `aisle-import-${randomUUID()}.ndjson`);
  await writeFile(orphan, '{}\n');
  const old = new Date(Date.now() - 3_600_000);
  await utimes(orphan, old, old);
  const swept = await waitFor(
    'the stale import to be failed',
    async () => {
      const p = await progress(h, stale);
      return p.state === 'failed' ? p : undefined;
    },
    20_000,
  );
  t.match(swept, { state: 'failed', done: true, error: /^interrupted/ });
  await waitFor('the orphan spool file to be removed', async () =>
    (await readdir(spoolDir)).length === 0 ? true : undefined,
  );
  const live = await startImport(h, ndjson(sampleProduct()));
  t.match(await finished(h, live), { state: 'completed', accepted: 1 }, 'fresh imports run on');
});
