import t from 'tap';
import {
  MAX_ALTERNATIVES,
  expandWithSynonyms,
  loadSynonyms,
  parseSynonyms,
  queryUnits,
  synonymLineErrors,
} from './synonyms.js';
import { SYNONYMS_FILE } from '../../merchandising/initial.js';

const expansionsOf = (text: string) => Object.fromEntries(parseSynonyms(text).expansions);

t.test('An equivalence line maps every term to each of the others', async (t) => {
  t.strictSame(expansionsOf('sneakers, trainers, running shoes'), {
    sneaker: ['trainers', 'running shoes'],
    trainer: ['sneakers', 'running shoes'],
    'running shoe': ['sneakers', 'trainers'],
  });
});

t.test('A one-way line maps the left terms to the right ones only', async (t) => {
  t.strictSame(expansionsOf('parka, anorak => jacket, coat'), {
    parka: ['jacket', 'coat'],
    anorak: ['jacket', 'coat'],
  });
});

t.test(
  'Comments, blank lines, spacing, case and punctuation inside terms are ignored',
  async (t) => {
    const text = '# clothing\n\n  T-Shirt ,Tee  \r\n# end\n';
    t.strictSame(expansionsOf(text), { 't shirt': ['Tee'], tee: ['T Shirt'] });
    t.equal(parseSynonyms(text).longestPhrase, 2);
  },
);

t.test('Lines that name the same term twice add it once', async (t) => {
  t.strictSame(expansionsOf('tv, television\ntv, TV, television'), {
    tv: ['television'],
    television: ['tv'],
  });
});

t.test('Malformed lines are errors with their line number', async (t) => {
  t.throws(() => parseSynonyms('ok, fine\nlonely'), { name: 'SynonymSyntaxError', line: 2 });
  t.throws(() => parseSynonyms('a => b => c'), { name: 'SynonymSyntaxError', line: 1 });
  t.throws(() => parseSynonyms('=> b'), { name: 'SynonymSyntaxError', line: 1 });
  t.throws(() => parseSynonyms('a, b =>'), { name: 'SynonymSyntaxError', line: 1 });
  t.throws(() => parseSynonyms('\n\n, ,'), { name: 'SynonymSyntaxError', line: 3 });
});

t.test(
  'Given lines, when some are malformed, then each is named by its 1-based number',
  async (t) => {
    t.strictSame(
      synonymLineErrors([
        '# clothing',
        '',
        'sneakers, trainers',
        'lonely',
        'a => b => c',
        'parka, anorak => jacket',
        '=> b',
        'a, b =>',
        ', ,',
        'tv,\ntelevision',
      ]),
      [
        { line: 4, reason: 'a group needs two terms' },
        { line: 5, reason: 'more than one "=>"' },
        { line: 7, reason: 'a side of the rule has no terms' },
        { line: 8, reason: 'a side of the rule has no terms' },
        { line: 9, reason: 'a side of the rule has no terms' },
        { line: 10, reason: 'a line must not contain a line break' },
      ],
    );
    t.strictSame(synonymLineErrors([]), []);
    t.strictSame(synonymLineErrors(['a, b', '  # note', 'x, y => z']), []);
  },
);

t.test(
  'Expansion replaces each matched phrase by each synonym, keeping the other words',
  async (t) => {
    const synonyms = parseSynonyms('sneakers, trainers, running shoes\npants, trousers');
    t.strictSame(expandWithSynonyms(['blue', 'Sneaker'], synonyms), [
      'blue trainers',
      'blue running shoes',
    ]);
    t.strictSame(expandWithSynonyms(['trail', 'running', 'shoes'], synonyms), [
      'trail sneakers',
      'trail trainers',
    ]);
    t.strictSame(expandWithSynonyms(['running', 'pants'], synonyms), ['running trousers']);
    t.strictSame(expandWithSynonyms(['socks'], synonyms), []);
    t.strictSame(expandWithSynonyms([], synonyms), []);
  },
);

t.test('Expansion stops at the alternative limit', async (t) => {
  const synonyms = parseSynonyms('a1, a2, a3, a4, a5, a6, a7');
  t.equal(expandWithSynonyms(['a1', 'a2'], synonyms).length, MAX_ALTERNATIVES);
});

t.test('The shipped synonyms file parses and says sneakers are trainers', async (t) => {
  const synonyms = loadSynonyms(SYNONYMS_FILE);
  t.ok(synonyms.expansions.size > 20);
  t.ok(expandWithSynonyms(['sneakers'], synonyms).includes('trainers'));
});

t.test('Units: a phrase with synonyms is one unit, other words one unit each', async (t) => {
  const synonyms = parseSynonyms('hoodie, hooded sweatshirt\nsneakers, trainers, running shoes');
  t.strictSame(queryUnits(['grey', 'Hooded', 'Sweatshirts', 'XL'], synonyms), [
    { text: 'grey', alternatives: [] },
    { text: 'Hooded Sweatshirts', alternatives: ['hoodie'] },
    { text: 'XL', alternatives: [] },
  ]);
  t.strictSame(queryUnits(['red', 'running', 'shoes'], synonyms), [
    { text: 'red', alternatives: [] },
    { text: 'running shoes', alternatives: ['sneakers', 'trainers'] },
  ]);
  t.strictSame(queryUnits(['hoodies'], synonyms), [
    { text: 'hoodies', alternatives: ['hooded sweatshirt'] },
  ]);
  t.strictSame(queryUnits(['running'], synonyms), [{ text: 'running', alternatives: [] }]);
  t.strictSame(queryUnits([], synonyms), []);
});

t.test('Units keep at most MAX_ALTERNATIVES synonyms over the whole query', async (t) => {
  const synonyms = parseSynonyms('a1, a2, a3, a4\nb1, b2, b3');
  const units = queryUnits(['a1', 'b1'], synonyms);
  t.strictSame(units, [
    { text: 'a1', alternatives: ['a2', 'a3', 'a4'] },
    { text: 'b1', alternatives: ['b2'] },
  ]);
  t.equal(units.flatMap((u) => u.alternatives).length, MAX_ALTERNATIVES);
});
