import { ruleSnapshot } from '../../../test/support/merchandising.js';
import t from 'tap';
import { parseSynonyms } from '../search/query/synonyms.js';
import { initialView, viewOf } from './view.js';

const initialSynonyms = parseSynonyms('sneakers, trainers');
const initial = initialView(initialSynonyms);
const set = (version: number, lines: string[]) => ({
  version,
  lines,
  updatedAt: '2026-01-01T00:00:00Z',
});

t.test('Given nothing projected yet, then the initial synonyms apply', async (t) => {
  const { view } = viewOf({ stamp: '', synonyms: undefined, rules: [] }, initial, initialSynonyms);
  t.equal(view.synonymsVersion, 0);
  t.ok(view.synonyms.expansions.has('sneaker'));
});

t.test('Given a projected set, then it replaces the initial one', async (t) => {
  const { view } = viewOf(
    { stamp: '3', synonyms: set(2, ['# mine', 'hoodie, sweatshirt']), rules: [] },
    initial,
    initialSynonyms,
  );
  t.equal(view.stamp, '3');
  t.equal(view.synonymsVersion, 2);
  t.ok(view.synonyms.expansions.has('hoodie'));
  t.notOk(view.synonyms.expansions.has('sneaker'));
});

t.test(
  'Given a set that does not parse, then the last synonyms stay and the error is told',
  async (t) => {
    const { view, synonymError } = viewOf(
      { stamp: '4', synonyms: set(3, ['a => b => c']), rules: [] },
      initial,
      initialSynonyms,
    );
    t.equal(view.synonymsVersion, 0);
    t.equal(view.stamp, '4');
    t.match(synonymError?.message, /line 1/);
  },
);

t.test('Rules are compiled, tombstones left out', async (t) => {
  const rule = ruleSnapshot({ id: 'r1' });
  const { view } = viewOf(
    { stamp: '5', synonyms: undefined, rules: [rule, { ...rule, id: 'r2', deleted: true }] },
    initial,
    initialSynonyms,
  );
  t.same(
    view.rules.map((r) => r.id),
    ['r1'],
  );
});

t.test(
  'Given a stored set that is removed (a repair), then the initial synonyms apply again',
  async (t) => {
    const stored = viewOf(
      { stamp: '6', synonyms: set(2, ['hoodie, sweatshirt']), rules: [] },
      initial,
      initialSynonyms,
    ).view;
    const { view } = viewOf(
      { stamp: '7', synonyms: undefined, rules: [] },
      stored,
      initialSynonyms,
    );
    t.equal(view.synonymsVersion, 0);
    t.ok(view.synonyms.expansions.has('sneaker'));
    t.notOk(view.synonyms.expansions.has('hoodie'));
  },
);
