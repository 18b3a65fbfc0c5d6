import t from 'tap';
import { refusal } from '../../../test/support/refusal.js';
import { addedProducts, decideRule, type RuleFields } from './decide-rules.js';

const now = '2026-11-26T08:00:00.000Z';
const later = '2026-11-26T09:00:00.000Z';
const [p1, p2, p3] = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
] as const;
const known = { unknownProducts: [] };
const fields: RuleFields = { query: 'Running shoes', match: 'exact', pin: [p1], hide: [p2] };
const created = decideRule({ type: 'CreateRule', id: 'r', fields }, undefined, known, now).rule;

const create = (overrides: Partial<RuleFields>) => () =>
  decideRule(
    { type: 'CreateRule', id: 'r', fields: { ...fields, ...overrides } },
    undefined,
    known,
    now,
  );

t.test('When a rule is created, then it is version 1 with every field', async (t) => {
  t.strictSame(created, {
    id: 'r',
    version: 1,
    createdAt: now,
    updatedAt: now,
    query: 'Running shoes',
    match: 'exact',
    pin: [p1],
    hide: [p2],
    activeFrom: null,
    activeTo: null,
  });
});

t.test('Given a rule, when a patch changes it, then the version goes up by one', async (t) => {
  const decision = decideRule(
    { type: 'ChangeRule', patch: { pin: [p3, p1], activeTo: '2027-01-01T01:00:00+01:00' } },
    created,
    known,
    later,
  );
  t.equal(decision.type, 'SearchRuleChanged');
  t.strictSame(decision.changes.fields, ['activeTo', 'pin']);
  t.match(decision.rule, {
    version: 2,
    pin: [p3, p1],
    hide: [p2],
    activeTo: '2027-01-01T00:00:00.000Z',
    createdAt: now,
    updatedAt: later,
  });
});

t.test('Given a rule, when a patch changes nothing, then it is refused', async (t) => {
  const error = refusal(() =>
    decideRule({ type: 'ChangeRule', patch: { query: 'Running shoes' } }, created, known, later),
  );
  t.equal(error.code, 'rule_violated');
});

t.test('Given a rule, when it is deleted, then a tombstone one version up remains', async (t) => {
  const decision = decideRule({ type: 'DeleteRule' }, created, known, later);
  t.equal(decision.type, 'SearchRuleDeleted');
  t.match(decision.rule, { version: 2, deleted: true, updatedAt: later, pin: [p1] });
  const again = refusal(() => decideRule({ type: 'DeleteRule' }, decision.rule, known, later));
  t.equal(again.code, 'not_found');
});

t.test('When the query has no words, too many or too many characters, then 400', async (t) => {
  for (const query of ['', '  ', '!?* -- ()', 'a '.repeat(11), 'x'.repeat(201)]) {
    const error = refusal(create({ query }));
    t.equal(error.code, 'validation_failed', JSON.stringify(query.slice(0, 20)));
    t.equal(error.field, 'query');
  }
  t.equal(create({ query: 'ab '.repeat(10) })().rule.version, 1, 'ten words are fine');
});

t.test('When pins and hides contradict or are empty, then 400', async (t) => {
  const cases: [Partial<RuleFields>, string][] = [
    [{ pin: [], hide: [] }, 'pin'],
    [{ pin: [p1, p1] }, 'pin'],
    [{ hide: [p2, p2] }, 'hide'],
    [{ pin: [p1], hide: [p1] }, 'hide'],
    [{ pin: Array.from({ length: 21 }, (_, i) => `p${i}`), hide: [] }, 'pin'],
    [{ hide: Array.from({ length: 201 }, (_, i) => `h${i}`) }, 'hide'],
  ];
  for (const [overrides, field] of cases) {
    const error = refusal(create(overrides));
    t.equal(error.code, 'validation_failed');
    t.equal(error.field, field);
  }
  t.equal(create({ pin: [], hide: [p2] })().rule.version, 1, 'a hide alone is a rule');
});

t.test('Given a rule, when a patch pins what it hides, then 400', async (t) => {
  const error = refusal(() =>
    decideRule({ type: 'ChangeRule', patch: { pin: [p2] } }, created, known, later),
  );
  t.equal(error.code, 'validation_failed');
});

t.test('When the active window is empty or its times are not instants, then 400', async (t) => {
  const at = '2026-12-01T00:00:00Z';
  for (const window of [
    { activeFrom: at, activeTo: at },
    { activeFrom: at, activeTo: '2026-11-30T00:00:00Z' },
    { activeFrom: '2016-12-31T23:59:60Z' },
    { activeTo: '1969-12-31T23:59:59Z' },
  ]) {
    t.equal(refusal(create(window)).code, 'validation_failed', JSON.stringify(window));
  }
  t.match(create({ activeFrom: '2026-12-01T01:00:00+01:00', activeTo: null })().rule, {
    activeFrom: '2026-12-01T00:00:00.000Z',
    activeTo: null,
  });
});

t.test('When products are unknown, then 422 names each of them', async (t) => {
  const error = refusal(() =>
    decideRule(
      { type: 'CreateRule', id: 'r', fields },
      undefined,
      { unknownProducts: [p2, p1] },
      now,
    ),
  );
  t.equal(error.code, 'unknown_product');
  t.strictSame(error.details, [
    { field: 'hide', message: `no live product ${p2}` },
    { field: 'pin', message: `no live product ${p1}` },
  ]);
});

t.test(
  'Only products a change adds must be live: those already named are not checked',
  async (t) => {
    t.strictSame(addedProducts({ type: 'CreateRule', id: 'r', fields }, undefined), [p1, p2]);
    t.strictSame(
      addedProducts({ type: 'ChangeRule', patch: { pin: [p3, p1], hide: [] } }, created),
      [p3],
    );
    t.strictSame(addedProducts({ type: 'DeleteRule' }, created), []);
  },
);
