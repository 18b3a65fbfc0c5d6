import t from 'tap';
import { refusal } from '../../../test/support/refusal.js';
import { decideSynonyms, synonymLimits } from './decide-synonyms.js';

const now = '2026-11-26T08:00:00.000Z';
const later = '2026-11-26T09:00:00.000Z';

t.test('Given no stored set, when lines are given, then they are version 1 as given', async (t) => {
  const lines = ['# shoes', '', 'sneakers, trainers', 'parka => jacket'];
  t.strictSame(decideSynonyms(lines, undefined, now), {
    set: { version: 1, lines, updatedAt: now },
    changed: true,
  });
});

t.test('Given a set, when other lines replace it, then the version goes up by one', async (t) => {
  const first = decideSynonyms(['a, b'], undefined, now).set;
  t.strictSame(decideSynonyms(['a, b', 'c, d'], first, later), {
    set: { version: 2, lines: ['a, b', 'c, d'], updatedAt: later },
    changed: true,
  });
  t.strictSame(decideSynonyms([], first, later).set.lines, [], 'an empty set is a set');
});

t.test('Given a set, when the same lines are sent again, then nothing changes', async (t) => {
  const first = decideSynonyms(['a, b'], undefined, now).set;
  t.strictSame(decideSynonyms(['a, b'], first, later), { set: first, changed: false });
});

t.test('When lines are malformed, then every one is named, numbered from 1', async (t) => {
  const error = refusal(() =>
    decideSynonyms(
      ['a, b', 'lonely', '# fine', 'x => y => z', 'long, ' + 'x'.repeat(1000)],
      undefined,
      now,
    ),
  );
  t.equal(error.code, 'validation_failed');
  t.equal(error.message, 'synonym lines 2, 4, 5 cannot be parsed; nothing was changed');
  t.strictSame(error.details, [
    { field: 'lines', message: 'line 2: a group needs two terms' },
    { field: 'lines', message: 'line 4: more than one "=>"' },
    { field: 'lines', message: 'line 5: longer than 1000 characters' },
  ]);
});

t.test(
  'When a line is at the character bound, then it counts characters, not UTF-16 units',
  async (t) => {
    const astral = '😀'.repeat(synonymLimits.lineCharsMax - 3);
    t.equal(decideSynonyms([`a, ${astral}`], undefined, now).set.version, 1);
  },
);

t.test('When the set has too many lines, then it is refused as a whole', async (t) => {
  const lines = Array.from({ length: synonymLimits.linesMax + 1 }, () => '');
  const error = refusal(() => decideSynonyms(lines, undefined, now));
  t.equal(error.code, 'validation_failed');
  t.equal(error.field, 'lines');
});
