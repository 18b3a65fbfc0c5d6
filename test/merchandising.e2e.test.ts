// Search merchandising end to end: synonyms and query rules changed through catalog-write reach two
// catalog-read instances through the outbox, the relay and the detail projector, with no restart
// and no reindex, and change what the storefront search answers.
import t from 'tap';
import { sampleProduct } from './support/catalog-write.js';
import { startPipeline, type Pipeline } from './support/pipeline.js';
import { startReadSide, type ReadSide } from './support/read-side.js';
import { waitFor } from './support/wait.js';

interface Answer {
  total: number;
  items: { id: string; name: string }[];
  facets: { brand: { value: string; count: number }[] };
  appliedRules: { id: string; version: number }[];
  nextCursor: string | null;
}

async function product(p: Pipeline, name: string, brand: string): Promise<string> {
  const res = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({
      name,
      brand,
      price: { amountMinor: 2500, currency: 'EUR' },
      status: 'published',
    }),
  });
  if (res.statusCode !== 201) throw new Error(`create ${name}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

const search = async (read: ReadSide, query: string): Promise<Answer> => {
  const res = await read.get(`/v1/search?${query}`);
  if (res.statusCode !== 200) throw new Error(`search ${query}: ${res.statusCode} ${res.body}`);
  return res.json<Answer>();
};

/** Waits until every instance answers `query` so that `holds` is true. */
const onEvery = (reads: ReadSide[], what: string, query: string, holds: (a: Answer) => boolean) =>
  waitFor(what, async () => {
    const answers = await Promise.all(reads.map((read) => search(read, query)));
    return answers.every(holds) ? answers : undefined;
  });

const ids = (a: Answer) => a.items.map((i) => i.id);

t.test(
  'Synonyms and query rules reach every catalog-read instance and shape the search',
  async (t) => {
    const p = await startPipeline(t);
    const reads = [await startReadSide(t, p), await startReadSide(t, p)];
    const lantern = await product(p, 'Storm lantern', 'Glow');
    const headlamp = await product(p, 'Trail headlamp', 'Glow');
    const tote = await product(p, 'Canvas tote bag', 'Carry');
    const backpack = await product(p, 'Hiking backpack bag', 'Carry');
    await onEvery(reads, 'the products in search', 'q=bag', (a) => a.total === 2);
    await onEvery(reads, 'lantern searchable', 'q=lantern', (a) => a.total === 1);

    await t.test('a synonym set put through the admin API applies without a restart', async (t) => {
      t.equal((await search(reads[0]!, 'q=torch')).total, 0, 'torch finds nothing before');
      const put = await p.write.admin({
        method: 'PUT',
        url: '/admin/v1/search/synonyms',
        payload: { lines: ['# lighting', 'torch => lantern, headlamp'] },
      });
      t.equal(put.statusCode, 200, put.body);
      const answers = await onEvery(
        reads,
        'torch on both instances',
        'q=torch',
        (a) => a.total === 2,
      );
      for (const a of answers) t.same(ids(a).sort(), [lantern, headlamp].sort());
      t.equal((await search(reads[1]!, 'q=lantern')).total, 1, 'one way: lantern does not expand');
    });

    let ruleId = '';
    await t.test(
      'a pin rule puts a product first, whatever the text, on every instance',
      async (t) => {
        const created = await p.write.admin({
          method: 'POST',
          url: '/admin/v1/search/rules',
          payload: { query: 'bag', match: 'exact', pin: [lantern] },
        });
        t.equal(created.statusCode, 201, created.body);
        ruleId = created.json<{ id: string }>().id;
        const answers = await onEvery(reads, 'the pin', 'q=bag', (a) => a.items[0]?.id === lantern);
        for (const a of answers) {
          t.equal(a.total, 3, 'the pinned product counts in total');
          t.same(a.appliedRules, [{ id: ruleId, version: 1 }]);
          t.same(ids(a).slice(1).sort(), [tote, backpack].sort());
          t.same(
            a.facets.brand.map((b) => [b.value, b.count]).sort(),
            [
              ['Carry', 2],
              ['Glow', 1],
            ],
            'facets count what is shown',
          );
        }
        const filtered = await search(reads[0]!, 'q=bag&brand=Carry');
        t.notOk(ids(filtered).includes(lantern), 'a pinned product must pass the filters');
        t.equal(filtered.total, 2);
        t.same((await search(reads[0]!, 'q=bags')).appliedRules.length, 1, 'a plural s matches');
        t.same(
          (await search(reads[0]!, 'q=tote bag')).appliedRules,
          [],
          'exact: more words do not',
        );

        const page1 = await search(reads[0]!, 'q=bag&size=2');
        const page2 = await search(reads[0]!, `q=bag&size=2&cursor=${page1.nextCursor ?? ''}`);
        const byPage = await search(reads[0]!, 'q=bag&size=2&page=2');
        t.same(
          [...ids(page1), ...ids(page2)].sort(),
          [lantern, tote, backpack].sort(),
          'no repeats',
        );
        t.same(ids(byPage), ids(page2), 'page 2 and the cursor agree');
      },
    );

    await t.test('a hide rule removes a product from hits, totals and facets', async (t) => {
      const changed = await p.write.admin({
        method: 'PATCH',
        url: `/admin/v1/search/rules/${ruleId}`,
        payload: { pin: [lantern], hide: [tote] },
      });
      t.equal(changed.statusCode, 200, changed.body);
      const answers = await onEvery(reads, 'the hide', 'q=bag', (a) => !ids(a).includes(tote));
      for (const a of answers) {
        t.same(ids(a), [lantern, backpack]);
        t.equal(a.total, 2);
        t.same(a.appliedRules, [{ id: ruleId, version: 2 }]);
        t.same(a.facets.brand.map((b) => [b.value, b.count]).sort(), [
          ['Carry', 1],
          ['Glow', 1],
        ]);
      }
    });

    await t.test('deleting the rule and the synonyms brings the plain search back', async (t) => {
      const deleted = await p.write.admin({
        method: 'DELETE',
        url: `/admin/v1/search/rules/${ruleId}`,
      });
      t.equal(deleted.statusCode, 200, deleted.body);
      const put = await p.write.admin({
        method: 'PUT',
        url: '/admin/v1/search/synonyms',
        payload: { lines: [] },
      });
      t.equal(put.statusCode, 200, put.body);
      await onEvery(reads, 'no rule', 'q=bag', (a) => a.appliedRules.length === 0 && a.total === 2);
      await onEvery(reads, 'no synonyms', 'q=torch', (a) => a.total === 0);
      t.pass('both instances answer as before the rule and the synonyms');
    });
  },
);
