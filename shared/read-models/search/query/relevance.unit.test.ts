import t from 'tap';
import { TYPO_FALLBACK, fuzzyEligible, typoFallbackUnits } from './relevance.js';

const units = (...texts: string[]) => texts.map((text) => ({ text, alternatives: [] }));

t.test('The fuzzy fallback runs only when the exact query finds too little', async (t) => {
  t.equal(TYPO_FALLBACK.minResults, 3);
  const rainJakcet = units('rain', 'jakcet');
  t.strictSame(typoFallbackUnits(rainJakcet, 40, [40, 0]), [1], 'a word that matches nothing');
  t.strictSame(typoFallbackUnits(rainJakcet, 40, [40, 2]), [], 'every word matches something');
  t.strictSame(typoFallbackUnits(rainJakcet, 2, [2, 1]), [0, 1], 'too few results: every word');
  t.strictSame(typoFallbackUnits(units('runnning'), 0, undefined), [0], 'one word, no result');
  t.strictSame(typoFallbackUnits(units('shoe'), 12, undefined), [], 'one word, enough results');
});

t.test('Short words and synonym phrases are never fuzzy', async (t) => {
  t.notOk(fuzzyEligible({ text: 'tee', alternatives: [] }), 'under 4 characters');
  t.ok(fuzzyEligible({ text: 'tees', alternatives: [] }));
  t.notOk(fuzzyEligible({ text: 'hooded sweatshirt', alternatives: ['hoodie'] }), 'a phrase');
  t.notOk(fuzzyEligible({ text: '👟', alternatives: [] }));
  t.strictSame(typoFallbackUnits(units('red', 'tee'), 0, [0, 0]), [], 'nothing to retry');
});
