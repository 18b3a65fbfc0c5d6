import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadVocabulary, parseVocabulary } from './vocabulary.js';

/** A minimal valid vocabulary: one department, one subcategory, one leaf. */
function minimal(): {
  sizeScales: Record<string, string[]>;
  useOpenings: string[];
  departments: Record<string, unknown>[];
} {
  return {
    sizeScales: { oneSize: ['One size'] },
    useOpenings: ['Made for'],
    departments: [
      {
        slug: 'home',
        name: 'Home',
        brands: ['Acme'],
        materials: ['oak'],
        adjectives: ['sturdy'],
        colors: ['brown'],
        features: ['The {material} {noun} lasts.'],
        uses: ['the kitchen'],
        care: ['Wipe clean.'],
        children: [
          {
            slug: 'kitchen',
            name: 'Kitchen',
            leaves: [
              {
                slug: 'boards',
                name: 'Boards',
                nouns: ['board'],
                medianPriceMinor: 1999,
                weightGrams: [200, 400],
                sizeScale: 'oneSize',
                details: ['Reversible.'],
              },
            ],
          },
        ],
      },
    ],
  };
}

type Vocabulary = ReturnType<typeof minimal>;
type Leaf = Record<string, unknown>;

const department = (v: Vocabulary) => v.departments[0] as Record<string, unknown>;
const subcategory = (v: Vocabulary) =>
  (department(v).children as Record<string, unknown>[])[0] as Record<string, unknown>;
const leafOf = (v: Vocabulary) => (subcategory(v).leaves as Leaf[])[0] as Leaf;

function rejects(t: Test, change: (v: Vocabulary) => void, message: RegExp): void {
  const vocabulary = minimal();
  change(vocabulary);
  t.throws(() => parseVocabulary(vocabulary), { message }, message.source);
}

t.test('the shipped vocabulary loads and is the whole demo tree', async (t) => {
  const vocabulary = loadVocabulary();
  t.equal(vocabulary.departments.length, 6);
  const leaves = vocabulary.departments.flatMap((d) => d.children.flatMap((c) => c.leaves));
  t.equal(leaves.length, 72);
  t.ok(leaves.every((l) => l.sizeScale in vocabulary.sizeScales));
});

t.test('a valid vocabulary comes back typed, the optional materials only when given', async (t) => {
  const parsed = parseVocabulary(minimal());
  const leaf = parsed.departments[0]?.children[0]?.leaves[0];
  t.same(leaf?.weightGrams, [200, 400]);
  t.notOk(leaf !== undefined && 'materials' in leaf);
  const withMaterials = minimal();
  leafOf(withMaterials).materials = ['walnut'];
  t.same(parseVocabulary(withMaterials).departments[0]?.children[0]?.leaves[0]?.materials, [
    'walnut',
  ]);
});

t.test('faults are refused with the field that has them', async (t) => {
  rejects(t, (v) => (leafOf(v).material = ['walnut']), /leaves\[0\] has an unknown key "material"/);
  rejects(t, (v) => delete leafOf(v).nouns, /leaves\[0\] lacks "nouns"/);
  rejects(t, (v) => (leafOf(v).sizeScale = 'shoes'), /sizeScale "shoes" is no size scale/);
  rejects(t, (v) => (leafOf(v).weightGrams = [400, 200]), /weightGrams must be \[min, max\]/);
  rejects(t, (v) => (leafOf(v).weightGrams = [200]), /weightGrams must be \[min, max\]/);
  rejects(t, (v) => (leafOf(v).medianPriceMinor = 19.99), /medianPriceMinor must be a positive/);
  rejects(t, (v) => (department(v).brands = []), /departments\[0\]\.brands must be a non-empty/);
  rejects(t, (v) => (department(v).colors = ['red', '']), /colors\[1\] must be a non-empty string/);
  rejects(t, (v) => (v.useOpenings = []), /useOpenings must be a non-empty array/);
  rejects(t, (v) => (v.sizeScales.oneSize = []), /sizeScales\.oneSize must be a non-empty/);
  rejects(
    t,
    (v) => (subcategory(v).leaves as Leaf[]).push({ ...leafOf(v) }),
    /leaves repeats the slug "boards"/,
  );
  rejects(t, (v) => v.departments.push(department(v)), /departments repeats the slug "home"/);
});

t.test('a broken file is named in the error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-vocabulary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'broken.json');
  writeFileSync(path, '{"sizeScales": {}');
  t.throws(() => loadVocabulary(path), { message: new RegExp(`^${path}: .*JSON`) });
});
