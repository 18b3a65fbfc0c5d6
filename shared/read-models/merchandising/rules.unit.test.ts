import t from 'tap';
import type { SearchRuleSnapshot } from '../../events/merchandising-events.js';
import { ruleSnapshot } from '../../../test/support/merchandising.js';
import { compileRule, queryKeys, ruleEffect, type CompiledRule } from './rules.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

const rule = (overrides: Partial<SearchRuleSnapshot> & { id: string }): CompiledRule => {
  const compiled = compileRule(ruleSnapshot({ query: 'running shoes', pin: [], ...overrides }));
  if (compiled === undefined) throw new Error('rule did not compile');
  return compiled;
};

t.test('Given an exact rule, when the query has the same words, then it applies', async (t) => {
  const rules = [rule({ id: 'r1', pin: ['p1'] })];
  t.same(ruleEffect(rules, queryKeys('Running Shoes'), NOW).applied, [{ id: 'r1', version: 1 }]);
  t.same(
    ruleEffect(rules, queryKeys('running shoe'), NOW).pin,
    ['p1'],
    'a plural s does not matter',
  );
  t.same(
    ruleEffect(rules, queryKeys('red running shoes'), NOW).applied,
    [],
    'more words: not exact',
  );
  t.same(ruleEffect(rules, queryKeys(''), NOW).applied, [], 'browse matches no rule');
});

t.test(
  'Given a phrase rule, when the query contains its words in a row, then it applies',
  async (t) => {
    const rules = [rule({ id: 'r1', match: 'phrase', hide: ['p9'] })];
    t.same(ruleEffect(rules, queryKeys('red running shoes for men'), NOW).hide, ['p9']);
    t.same(ruleEffect(rules, queryKeys('shoes for running'), NOW).applied, [], 'not in a row');
    t.same(ruleEffect(rules, queryKeys('running'), NOW).applied, [], 'only part of the phrase');
  },
);

t.test(
  'Given an active window, then a rule applies from its start up to (not at) its end',
  async (t) => {
    const rules = [
      rule({
        id: 'r1',
        pin: ['p1'],
        activeFrom: '2026-06-01T12:00:00Z',
        activeTo: '2026-06-02T00:00:00Z',
      }),
    ];
    const keys = queryKeys('running shoes');
    t.same(ruleEffect(rules, keys, NOW).pin, ['p1'], 'at its start');
    t.same(ruleEffect(rules, keys, NOW - 1).pin, [], 'before');
    t.same(ruleEffect(rules, keys, Date.parse('2026-06-02T00:00:00Z')).pin, [], 'at its end');
  },
);

t.test(
  'Given several rules, then exact ones pin first and a hidden product is never pinned',
  async (t) => {
    const rules = [
      rule({ id: 'b-phrase', match: 'phrase', query: 'shoes', pin: ['p3', 'p1'] }),
      rule({ id: 'a-exact', pin: ['p1', 'p2'], hide: ['p4'] }),
      rule({
        id: 'c-phrase',
        match: 'phrase',
        query: 'running shoes',
        pin: ['p4', 'p5'],
        hide: ['p2'],
      }),
    ];
    const effect = ruleEffect(rules, queryKeys('running shoes'), NOW);
    t.same(
      effect.applied.map((r) => r.id),
      ['a-exact', 'c-phrase', 'b-phrase'],
      'exact, then the longer phrase',
    );
    t.same(effect.pin, ['p1', 'p5', 'p3'], 'in order, without duplicates or hidden ones');
    t.same(effect.hide, ['p2', 'p4']);
  },
);

t.test('A deleted rule or one without words compiles to nothing', async (t) => {
  t.equal(compileRule(ruleSnapshot({ id: 'r1', query: 'shoes', deleted: true })), undefined);
  t.equal(compileRule(ruleSnapshot({ id: 'r2', query: '!!! ---' })), undefined);
});
