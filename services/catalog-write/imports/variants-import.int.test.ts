import t from 'tap';
import { sampleProduct, writeHarness } from '../../../test/support/catalog-write.js';
import { waitFor } from '../../../test/support/wait.js';
import type { ImportView } from '../../../shared/write-model/imports/repository.js';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

const tee = (sku: string, variants: unknown[]) => ({
  sku,
  name: `Tee ${sku}`,
  options: ['color', 'size'],
  variants,
});

t.test(
  'Import lines carry options and variants; a bad variant rejects its line alone',
  async (t) => {
    const h = await writeHarness(t);
    const before = await h.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct({ sku: 'MUG-TAKEN' }),
    });
    t.equal(before.statusCode, 201);
    const lines = [
      tee('TEE-A', [
        {
          sku: 'TEE-A-BM',
          options: { color: 'black', size: 'M' },
          price: eur(1500),
          stock: { north: 3 },
        },
        { sku: 'TEE-A-GL', options: { color: 'grey', size: 'L' }, price: eur(1500) },
      ]),
      tee('TEE-B', [{ sku: 'TEE-B-BM', options: { color: 'black' } }]),
      tee('TEE-C', [{ sku: 'MUG-TAKEN', options: { color: 'black', size: 'M' } }]),
      sampleProduct({ sku: 'PLAIN-D', price: eur(900) }),
      tee('TEE-E', [{ sku: 'TEE-A-GL', options: { color: 'grey', size: 'L' } }]),
      tee('TEE-F', [
        { sku: 'TEE-F-1', options: { color: 'red', size: 'S' } },
        { sku: 'TEE-F-2', options: { color: 'red', size: 'S' } },
      ]),
      {
        ...tee('TEE-G', [
          { sku: 'TEE-G-1', options: { color: 'red', size: 'S' }, price: eur(1200) },
        ]),
        status: 'published',
      },
    ];
    const started = await h.admin({
      method: 'POST',
      url: '/admin/v1/imports',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: lines.map((l) => JSON.stringify(l)).join('\n'),
    });
    t.equal(started.statusCode, 202);
    const { importId } = started.json<{ importId: string }>();
    const done = await waitFor(
      'the import to finish',
      async () => {
        const view = (
          await h.admin({ method: 'GET', url: `/admin/v1/imports/${importId}` })
        ).json<ImportView>();
        return view.done ? view : undefined;
      },
      15_000,
    );
    t.equal(done.state, 'completed');
    t.equal(done.accepted, 3, 'lines 1, 4 and 7');
    t.same(
      done.rejections.map((r) => r.line),
      [2, 3, 5, 6],
    );
    const reason = (line: number) => done.rejections.find((r) => r.line === line)?.reason;
    t.match(reason(2), /^rule violated: variants\.0\.options\.size: /);
    t.equal(reason(3), 'variants.0.sku: SKU "MUG-TAKEN" is taken by another product');
    t.match(
      reason(5),
      /^variants\.0\.sku: SKU "TEE-A-GL" is already used on line 1 of this import$/,
    );
    t.match(reason(6), /^option combination taken: variants\.1\.options: /);

    const { rows } = await h.pool.query<{ id: string; sku: string }>(
      "SELECT id, sku FROM products WHERE sku LIKE 'TEE-%' ORDER BY sku",
    );
    t.same(
      rows.map((r) => r.sku),
      ['TEE-A', 'TEE-G'],
    );
    const teeA = await h.admin({ method: 'GET', url: `/admin/v1/products/${rows[0]?.id}` });
    t.match(teeA.json(), {
      options: ['color', 'size'],
      variants: [
        { sku: 'TEE-A-BM', price: eur(1500), stock: { available: 3, byWarehouse: { north: 3 } } },
        { sku: 'TEE-A-GL', options: { color: 'grey', size: 'L' }, stock: { available: 0 } },
      ],
    });
    const [created] = await h.outboxEvents(rows[0]?.id);
    t.same(created?.payload['snapshot'], teeA.json(), 'its ProductCreated carries the variants');
    const { rows: skus } = await h.pool.query<{ sku: string }>(
      'SELECT sku FROM sku_registry ORDER BY sku',
    );
    t.same(
      skus.map((r) => r.sku),
      ['MUG-TAKEN', 'PLAIN-D', 'TEE-A', 'TEE-A-BM', 'TEE-A-GL', 'TEE-G', 'TEE-G-1'],
      'every accepted SKU is registered, nothing of the rejected lines',
    );
  },
);
