import t from 'tap';
import { parseSynonyms } from '../search/query/synonyms.js';
import { ruleSnapshot } from '../../../test/support/merchandising.js';
import { coverageOf } from './coverage.js';
import { compileRule, type CompiledRule } from './rules.js';
import { initialView } from './view.js';

const rule = (id: string, pin: string[], hide: string[]): CompiledRule => {
  const compiled = compileRule(
    ruleSnapshot({ id, version: 3, query: 'rain boots', match: 'phrase', pin, hide }),
  );
  if (compiled === undefined) throw new Error('no rule');
  return compiled;
};

const view = (rules: CompiledRule[]) => ({
  ...initialView(parseSynonyms('wellies => rain boots')),
  rules,
});

t.test('Given a synonym for the query, then it is covered by that synonym', async (t) => {
  t.same(coverageOf(view([]), 'Wellies', Date.now()), {
    covered: true,
    synonyms: ['rain boots'],
    rules: [],
  });
});

t.test('Given a rule that only hides, then the query is linked but not covered', async (t) => {
  const coverage = coverageOf(view([rule('r1', [], ['p1'])]), 'green rain boots', Date.now());
  t.equal(coverage.covered, false);
  t.same(coverage.rules, [{ id: 'r1', version: 3, pins: 0, hides: 1 }]);
});

t.test('Given a rule that pins, then the query is covered', async (t) => {
  const coverage = coverageOf(view([rule('r2', ['p1', 'p2'], [])]), 'rain boots', Date.now());
  t.equal(coverage.covered, true);
  t.same(coverage.rules, [{ id: 'r2', version: 3, pins: 2, hides: 0 }]);
});

t.test('Given nothing for the query, then it is not covered', async (t) => {
  t.same(coverageOf(view([]), 'umbrella', Date.now()), { covered: false, synonyms: [], rules: [] });
});
