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

const empty = { parentLineage: [], contents: { children: 0, liveProducts: 0 } };

t.test(
  'Given an empty category, when it is deleted, then a CategoryDeleted tombstone at the next version',
  async (t) => {
    const later = '2026-11-24T06:00:00.000Z';
    const decision = decideCategory({ type: 'DeleteCategory' }, root, empty, later);
    t.same(decision, {
      type: 'CategoryDeleted',
      category: { ...root, updatedAt: later, version: 2, deleted: true },
      changes: { fields: ['deleted'] },
    });
  },
);

t.test(
  'Given a category with children or live products, when it is deleted, then category_not_empty',
  async (t) => {
    const refused = (children: number, liveProducts: number, capped?: true) =>
      refusal(() =>
        decideCategory(
          { type: 'DeleteCategory' },
          root,
          {
            parentLineage: [],
            contents: { children, liveProducts, ...(capped ? { capped } : {}) },
          },
          now,
        ),
      );
    const child = refused(1, 0);
    t.equal(child.code, 'category_not_empty');
    t.equal(child.message, 'the category still holds 1 child category; move or delete them first');
    t.equal(
      refused(0, 3).message,
      'the category still holds 3 live products; move or delete them first',
    );
    t.equal(
      refused(2, 1).message,
      'the category still holds 2 child categories and 1 live product; move or delete them first',
    );
    t.equal(
      refused(0, 1000, true).message,
      'the category still holds 1000 or more live products; move or delete them first',
    );
  },
);

t.test('Given a deleted category, when it is changed or deleted again, then refused', async (t) => {
  const deleted = decideCategory({ type: 'DeleteCategory' }, root, empty, now).category;
  t.equal(
    refusal(() => decideCategory({ type: 'DeleteCategory' }, deleted, empty, now)).code,
    'invalid_transition',
  );
  t.equal(
    refusal(() =>
      decideCategory(
        { type: 'ChangeCategory', patch: { name: 'Back' } },
        deleted,
        { parentLineage: [] },
        now,
      ),
    ).code,
    'invalid_transition',
  );
  t.equal(
    refusal(() => decideCategory({ type: 'DeleteCategory' }, undefined, empty, now)).code,
    'invalid_transition',
  );
});
