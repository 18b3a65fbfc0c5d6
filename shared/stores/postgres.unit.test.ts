import t from 'tap';
import { beginStatement } from './postgres.js';

t.test('beginStatement spells each isolation and access mode', async (t) => {
  t.equal(beginStatement(), 'BEGIN');
  t.equal(beginStatement({}), 'BEGIN');
  t.equal(beginStatement({ isolation: 'read committed' }), 'BEGIN ISOLATION LEVEL READ COMMITTED');
  t.equal(
    beginStatement({ isolation: 'repeatable read', readOnly: true }),
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
  t.equal(beginStatement({ isolation: 'serializable' }), 'BEGIN ISOLATION LEVEL SERIALIZABLE');
  t.equal(beginStatement({ readOnly: true }), 'BEGIN READ ONLY');
  t.equal(beginStatement({ readOnly: false }), 'BEGIN');
});
