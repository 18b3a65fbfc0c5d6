import t from 'tap';
import { DomainError } from '../domain-error.js';
import { decideCategory } from './decide.js';

const now = '2026-11-23T06:00:00.000Z';
const root = decideCategory(
  { type: 'CreateCategory', id: 'a', fields: { slug: 'a', name: 'A' } },
  undefined,
  { parentLineage: [] },
  now,
).category;

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('accepted');
}

t.test(
  'Given a category, when it moves under one of its descendants, then a cycle is refused',
  async (t) => {
    const error = refusal(() =>
      decideCategory(
        { type: 'ChangeCategory', patch: { parentId: 'c' } },
        root,
        { parentLineage: ['c', 'b', 'a'] },
        now,
      ),
    );
    t.equal(error.code, 'category_cycle');
    t.equal(
      refusal(() =>
        decideCategory(
          { type: 'ChangeCategory', patch: { parentId: 'a' } },
          root,
          { parentLineage: ['a'] },
          now,
        ),
      ).code,
      'category_cycle',
    );
  },
);

t.test('When a new category names itself as its parent, then a cycle is refused', async (t) => {
  const error = refusal(() =>
    decideCategory(
      { type: 'CreateCategory', id: 'a', fields: { slug: 'a', name: 'A', parentId: 'a' } },
      undefined,
      { parentLineage: ['a'] },
      now,
    ),
  );
  t.equal(error.code, 'category_cycle');
});

t.test('When it moves elsewhere, then the version and changed fields advance', async (t) => {
  const decision = decideCategory(
    { type: 'ChangeCategory', patch: { parentId: 'x', name: 'A2' } },
    root,
    { parentLineage: ['x'] },
    now,
  );
  t.match(decision, {
    type: 'CategoryChanged',
    category: { parentId: 'x', name: 'A2', version: 2 },
    changes: { fields: ['name', 'parentId'] },
  });
});

t.test('Slugs and names are checked; a no-op patch is refused', async (t) => {
  for (const slug of ['Upper', 'two  spaces', 'trailing-', 'x'.repeat(65)]) {
    t.equal(
      refusal(() =>
        decideCategory(
          { type: 'CreateCategory', id: 'z', fields: { slug, name: 'Z' } },
          undefined,
          { parentLineage: [] },
          now,
        ),
      ).field,
      'slug',
    );
  }
  t.equal(
    refusal(() =>
      decideCategory(
        { type: 'ChangeCategory', patch: { name: ' ' } },
        root,
        { parentLineage: [] },
        now,
      ),
    ).field,
    'name',
  );
  t.equal(
    refusal(() =>
      decideCategory(
        { type: 'ChangeCategory', patch: { name: 'A' } },
        root,
        { parentLineage: [] },
        now,
      ),
    ).code,
    'rule_violated',
  );
});
