import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { runProductCommand } from '../../../shared/write-model/products/commands.js';
import { loadProduct } from '../../../shared/write-model/products/repository.js';
import type { ProductCommand } from '../../../shared/write-model/products/decide.js';
import type { Config } from '../../../shared/config/index.js';
import type { ProjectionName } from '../../../shared/events/queues.js';
import { projectRoot } from '../../../shared/paths.js';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import { productIndexNames } from '../../../shared/read-models/search/index-setup.js';
import { sampleProduct } from '../../../test/support/catalog-write.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { waitFor } from '../../../test/support/wait.js';
import { memoryOutput } from '../../../shared/cli/output.js';
import {
  parseVerifyArgs,
  uuidLiteral,
  verify,
  type DriftKind,
  type VerifyReport,
  type VerifyStores,
} from './verify.js';

t.test('arguments and the ClickHouse literal', async (t) => {
  t.same(parseVerifyArgs([]), {
    projections: ['search', 'detail', 'analytics', 'merchandising'],
    repair: false,
    json: false,
    pageSize: 500,
  });
  t.match(parseVerifyArgs(['--repair', '--projection', 'analytics', '--page-size', '50']), {
    projections: ['analytics'],
    repair: true,
    pageSize: 50,
  });
  t.same(parseVerifyArgs(['--projection', 'merchandising']).projections, ['merchandising']);
  t.throws(() => parseVerifyArgs(['--projection', 'categories']), /unknown projection/);
  const id = randomUUID();
  t.equal(uuidLiteral(id), `'${id}'`);
  t.throws(() => uuidLiteral(`${id}' OR 1 = 1 --`), /not a UUID/);
  t.throws(() => uuidLiteral(''), /not a UUID/);
});

/** The versions each read model holds, as the tests in test/pipeline.e2e.test.ts read them. */
async function readModelVersions(p: Pipeline, id: string): Promise<(number | undefined)[]> {
  const doc = await p.search.client.getDocument(p.alias, id);
  const detail = await p.redis.client.hget(
    detailKeys.product(p.config.redisKeyPrefix, id),
    'version',
  );
  const result = await p.clickhouse.client.query({
    query: `SELECT max(version) AS v, count() AS n FROM catalog_events FINAL WHERE product_id = '${id}'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ v: string; n: string }>();
  return [
    doc?.version,
    detail === null ? undefined : Number(detail),
    Number(row?.n) === 0 ? undefined : Number(row?.v),
  ];
}

async function caughtUp(p: Pipeline, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const product = await loadProduct(p.write.pool, id, false);
    await waitFor(`every read model to hold ${id} at version ${product?.version}`, async () =>
      (await readModelVersions(p, id)).every((v) => v === product?.version) ? true : undefined,
    );
  }
}

type Expected = Partial<Record<ProjectionName, Partial<Record<DriftKind, string[]>>>>;

/** Counts and example ids of the report, sorted, without the kinds that did not drift. */
function driftOf(report: VerifyReport): Expected {
  const out: Expected = {};
  for (const [projection, drift] of Object.entries(report.projections)) {
    const kinds: Partial<Record<DriftKind, string[]>> = {};
    for (const [kind, ids] of Object.entries(drift.examples)) {
      if (drift.counts[kind as DriftKind] !== ids.length) throw new Error('examples are not all');
      if (ids.length > 0) kinds[kind as DriftKind] = [...ids].sort();
    }
    if (Object.keys(kinds).length > 0) out[projection as ProjectionName] = kinds;
  }
  return out;
}

const sorted = (...ids: string[]) => [...ids].sort();

/** The CLI as an operator runs it, on the pipeline's namespaces. */
function cli(
  config: Config,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_SCHEMA: config.databaseSchema,
    REDIS_KEY_PREFIX: config.redisKeyPrefix,
    SEARCH_INDEX_PREFIX: config.searchIndexPrefix,
    CLICKHOUSE_DATABASE: config.clickhouseDatabase,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'services', 'ops-cli', 'main.ts'), ...args],
    { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

t.test('verify finds the drift of each read model, --repair removes it', async (t) => {
  const p = await startPipeline(t);
  const admin = (method: NonNullable<InjectOptions['method']>, url: string, payload?: object) =>
    p.write.admin({ method, url: `/admin/v1/products${url}`, ...(payload ? { payload } : {}) });

  // a campaign: eight products through create, price, stock, publish, then unpublish or delete
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const created = await admin('POST', '', sampleProduct({ name: `Verify ${i}` }));
    const id = created.json<{ id: string }>().id;
    ids.push(id);
    await admin('PUT', `/${id}/price`, { amountMinor: 1000 + i, currency: 'EUR' });
    await admin('POST', `/${id}/stock-adjustments`, {
      warehouse: 'main',
      delta: 5 + i,
      reason: 'delivery',
    });
    await admin('POST', `/${id}/publish`);
    if (i % 3 === 1) await admin('POST', `/${id}/unpublish`);
    if (i % 3 === 2) await admin('DELETE', `/${id}`);
  }
  await caughtUp(p, ids);

  const stores: VerifyStores = {
    pool: p.write.pool,
    redis: p.redis.client,
    search: p.search.client,
    clickhouse: p.clickhouse.client,
    redisKeyPrefix: p.config.redisKeyPrefix,
    searchAlias: p.alias,
  };
  const all = ['search', 'detail', 'analytics'] as const;
  const run = (repair: boolean) => {
    const out = memoryOutput();
    const report = verify(stores, { projections: all, repair, pageSize: 3 }, out);
    return report.then((r) => ({ report: r, out }));
  };

  const clean = await run(false);
  t.equal(clean.report.checked, 8, 'pages of 3 cover all 8 products');
  t.equal(clean.report.drift, false);
  t.same(driftOf(clean.report), {});
  t.match(clean.out.text(), /^search\s+in sync$/m);
  t.match(clean.out.text(), /^no drift$/m);
  t.match(clean.out.progressLines.at(-1), /^verify: 8 \/ 8 products \(100%\), [\d,]+\/s$/);

  // Corrupt every read model. ids[0,3,6] are published, ids[1,4,7] unpublished, ids[2,5] deleted.
  const [a, b, c, , h, , f] = ids as [string, string, string, string, string, string, string];
  const e = ids[3] as string;
  const detailKey = (id: string) => detailKeys.product(p.config.redisKeyPrefix, id);
  const version = async (id: string) => (await loadProduct(p.write.pool, id, false))?.version ?? 0;

  // detail: one key gone, one a version behind, one with other bytes at its version
  await p.redis.client.del(detailKey(a));
  await p.redis.client.hset(detailKey(e), 'version', (await version(e)) - 1);
  await p.redis.client.hset(detailKey(f), 'body', '{"name":"tampered"}');

  // search: a fresh index behind the alias, where b is a version behind and c was never written
  const names = productIndexNames(p.config.searchIndexPrefix);
  const [oldIndex] = await p.search.client.aliasTargets(p.alias);
  const freshIndex = names.indexFor(2);
  await p.search.client.createIndex(freshIndex);
  const copies = [];
  for (const id of ids) {
    if (id === c) continue;
    const doc = await p.search.client.getDocument(p.alias, id);
    if (doc === undefined) throw new Error(`no search document for ${id}`);
    copies.push({ id, version: id === b ? doc.version - 1 : doc.version, document: doc.source });
  }
  await p.search.client.bulkIndex(freshIndex, copies);
  await p.search.client.updateAliases([
    { remove: { index: oldIndex ?? '', alias: p.alias } },
    { add: { index: freshIndex, alias: p.alias } },
  ]);

  // lost events (their outbox rows never commit): g is missing everywhere, h stale everywhere
  const withoutEvent = (id: string, command: ProductCommand) =>
    runProductCommand(p.write.pool, id, command, {
      correlationId: null,
      beforeCommit: async (client, snapshot) => {
        await client.query(
          'DELETE FROM outbox WHERE aggregate_id = $1 AND aggregate_version = $2',
          [id, snapshot.version],
        );
      },
    });
  const g = randomUUID();
  await withoutEvent(g, {
    type: 'CreateProduct',
    id: g,
    fields: {
      sku: `SKU-${g.slice(0, 8)}`,
      name: 'Lost',
      price: { amountMinor: 5, currency: 'EUR' },
    },
  });
  await withoutEvent(h, { type: 'SetPrice', price: { amountMinor: 777, currency: 'EUR' } });

  const expected: Expected = {
    search: { missing: sorted(c, g), stale: sorted(b, h) },
    detail: { missing: sorted(a, g), stale: sorted(e, h), mismatch: [f] },
    analytics: { missing: [g], stale: [h] },
  };

  const drifted = await run(false);
  t.equal(drifted.report.checked, 9);
  t.equal(drifted.report.drift, true);
  t.same(driftOf(drifted.report), expected, 'exactly the drift that was made');
  const text = drifted.out.text();
  t.match(text, /^search\s+drift: 2 missing, 2 stale, 0 ahead, 0 content mismatch$/m);
  t.match(text, /^detail\s+drift: 2 missing, 2 stale, 0 ahead, 1 content mismatch$/m);
  t.match(text, /^analytics\s+drift: 1 missing, 1 stale, 0 ahead, 0 content mismatch$/m);
  t.match(text, new RegExp(`^  content mismatch: ${f}$`, 'm'));
  t.match(text, /^drift in search, detail, analytics$/m);

  // the operator's CLI: exit code 1 with drift, progress on stderr
  const cliRun = await cli(p.config, ['verify', '--projection', 'analytics']);
  t.equal(cliRun.code, 1, cliRun.stderr);
  t.match(cliRun.stdout, /^analytics\s+drift: 1 missing, 1 stale/m);
  t.match(cliRun.stderr, /verify: 9 \/ 9 products \(100%\)/);

  const repaired = await run(true);
  t.same(driftOf(repaired.report), expected, 'the repair run reports what it found');
  for (const [projection, n] of [
    ['search', 4],
    ['detail', 5],
    ['analytics', 2],
  ] as const) {
    t.match(repaired.report.projections[projection], { repaired: n, unrepaired: 0, errors: [] });
  }
  t.match(repaired.out.text(), /^ {2}repaired 5 of 5$/m);

  const after = await run(false);
  t.equal(after.report.drift, false, 'no drift after the repair');
  t.same(driftOf(after.report), {});

  const rows = await p.clickhouse.client.query({
    query: `SELECT event_type, version FROM catalog_events FINAL WHERE product_id = '${g}'`,
    format: 'JSONEachRow',
  });
  t.same(await rows.json(), [{ event_type: 'ProductSnapshotRepaired', version: '1' }]);

  const cliClean = await cli(p.config, ['verify']);
  t.equal(cliClean.code, 0, cliClean.stderr);
  t.match(cliClean.stdout, /^no drift$/m);

  // a read model ahead of the write model is reported and left alone: no guard lowers a version
  await p.redis.client.hset(detailKey(a), 'version', (await version(a)) + 5);
  const ahead = await verify(stores, { projections: ['detail'], repair: true }, memoryOutput());
  t.same(driftOf(ahead), { detail: { ahead: [a] } });
  t.match(ahead.projections.detail, { repaired: 0, unrepaired: 1 });
});

t.test('verify finds orphans and holes in the history, --repair removes them', async (t) => {
  const p = await startPipeline(t);
  const created = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({ name: 'Orphan check' }),
  });
  const id = created.json<{ id: string }>().id;
  await p.write.admin({
    method: 'PUT',
    url: `/admin/v1/products/${id}/price`,
    payload: { amountMinor: 1500, currency: 'EUR' },
  });
  await p.write.admin({
    method: 'PUT',
    url: `/admin/v1/products/${id}/price`,
    payload: { amountMinor: 1600, currency: 'EUR' },
  });
  await caughtUp(p, [id]);

  // A second identity (the same product spelled in upper case) and a product Postgres never had.
  const stranger = randomUUID();
  const upper = id.toUpperCase();
  for (const other of [upper, stranger]) {
    await p.redis.client.hset(detailKeys.product(p.config.redisKeyPrefix, other), {
      version: '1',
      etag: '',
      body: '',
    });
  }
  await p.search.client.bulkIndex(p.alias, [
    { id: stranger, version: 1, document: { id: stranger, visible: false, version: 1 } },
  ]);
  // The scan for orphans reads what a search sees: not before the index refreshes.
  await p.search.client.refresh(p.alias);
  await p.clickhouse.client.insert({
    table: 'catalog_events',
    values: [
      {
        event_id: randomUUID(),
        event_type: 'ProductCreated',
        product_id: stranger,
        version: 1,
        occurred_at: '2026-01-01T00:00:00Z',
        sku: 'X',
        status: 'draft',
        stock_available: 0,
      },
    ],
    format: 'JSONEachRow',
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
  // A hole in the middle of the history: version 2 (the first price change) is lost.
  await p.clickhouse.client.command({
    query: `ALTER TABLE catalog_events DELETE WHERE product_id = '${id}' AND version = 2`,
  });
  await waitFor('the version 2 row to be gone', async () => {
    const r = await p.clickhouse.client.query({
      query: `SELECT count() AS n FROM catalog_events WHERE product_id = '${id}' AND version = 2`,
      format: 'JSONEachRow',
    });
    return Number((await r.json<{ n: string }>())[0]?.n) === 0 ? true : undefined;
  });

  const stores: VerifyStores = {
    pool: p.write.pool,
    redis: p.redis.client,
    search: p.search.client,
    clickhouse: p.clickhouse.client,
    redisKeyPrefix: p.config.redisKeyPrefix,
    searchAlias: p.alias,
  };
  const all = ['search', 'detail', 'analytics'] as const;
  const found = await verify(stores, { projections: all, repair: true }, memoryOutput());
  t.same(driftOf(found), {
    search: { orphan: [stranger] },
    detail: { orphan: sorted(upper, stranger) },
    analytics: { mismatch: [id], orphan: [stranger] },
  });

  await waitFor('a second verify to find nothing', async () => {
    const again = await verify(stores, { projections: all, repair: false }, memoryOutput());
    return again.drift ? undefined : again;
  });
  const history = await p.clickhouse.client.query({
    query: `SELECT DISTINCT version FROM catalog_events FINAL WHERE product_id = '${id}' ORDER BY version`,
    format: 'JSONEachRow',
  });
  t.same(
    (await history.json<{ version: string | number }>()).map((r) => Number(r.version)),
    [1, 2, 3],
    'the lost middle event came back from the outbox',
  );
});
