/**
 * The words of the demo catalog (catalog-vocabulary.json): a three-level category tree whose
 * departments and leaves carry the brands, materials, nouns and sentences their products are
 * made of. Editing the catalog means editing that file; this module only reads and checks it.
 *
 * The file is read on first use, by path from the project root (like the index template and the
 * ClickHouse DDL), so loading the ops CLI for another command never touches it. It is checked
 * strictly (unknown keys included) because a misspelt key would otherwise silently fall back to
 * a default and change every product of every seed.
 */
import { readFileSync } from 'node:fs';
import { projectPath } from '../../paths.js';

export interface LeafVocabulary {
  readonly slug: string;
  readonly name: string;
  /** What one product of this category is called, singular, lower case. */
  readonly nouns: readonly string[];
  /** Median price in minor units; prices spread log-normally around it. */
  readonly medianPriceMinor: number;
  /** Shipping weight range in grams, both included. */
  readonly weightGrams: readonly [number, number];
  /** A key of `sizeScales`; a product's `size` attribute is a contiguous run of that scale. */
  readonly sizeScale: string;
  /** Overrides the department's materials. */
  readonly materials?: readonly string[];
  /** Sentences only this category's products use. */
  readonly details: readonly string[];
}

export interface SubcategoryVocabulary {
  readonly slug: string;
  readonly name: string;
  readonly leaves: readonly LeafVocabulary[];
}

export interface DepartmentVocabulary {
  readonly slug: string;
  readonly name: string;
  readonly brands: readonly string[];
  readonly materials: readonly string[];
  readonly adjectives: readonly string[];
  readonly colors: readonly string[];
  /** Whole sentences; `{noun}` and `{material}` are filled in. */
  readonly features: readonly string[];
  /** Completes one of `useOpenings`: "Made for …", "A good pick for …". */
  readonly uses: readonly string[];
  readonly care: readonly string[];
  readonly children: readonly SubcategoryVocabulary[];
}

export interface CatalogVocabulary {
  /** Ordered size scales by name. */
  readonly sizeScales: Readonly<Record<string, readonly string[]>>;
  readonly useOpenings: readonly string[];
  readonly departments: readonly DepartmentVocabulary[];
}

export const catalogVocabularyPath = projectPath(
  'shared',
  'write-model',
  'seed',
  'catalog-vocabulary.json',
);

/** Reads and checks the vocabulary file; throws naming the file and the faulty field. */
export function loadVocabulary(path: string = catalogVocabularyPath): CatalogVocabulary {
  try {
    return parseVocabulary(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------------
// Checking: every field typed, every list non-empty (the generator picks from each), no
// unknown keys, sibling slugs unique (ids derive from slug paths), size scales that exist.
// ---------------------------------------------------------------------------------------------

type Fields = Readonly<Record<string, unknown>>;

const fail = (at: string, what: string): never => {
  throw new Error(`${at} ${what}`);
};

function record(value: unknown, at: string): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Fields)
    : fail(at, 'must be an object');
}

function object(value: unknown, at: string, required: string[], optional: string[] = []): Fields {
  const fields = record(value, at);
  for (const key of required) if (!(key in fields)) fail(at, `lacks "${key}"`);
  for (const key of Object.keys(fields)) {
    if (!required.includes(key) && !optional.includes(key)) fail(at, `has an unknown key "${key}"`);
  }
  return fields;
}

function text(value: unknown, at: string): string {
  return typeof value === 'string' && value.trim() !== ''
    ? value
    : fail(at, 'must be a non-empty string');
}

function list<T>(value: unknown, at: string, item: (value: unknown, at: string) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) return fail(at, 'must be a non-empty array');
  return value.map((v, i) => item(v, `${at}[${i}]`));
}

const texts = (value: unknown, at: string): string[] => list(value, at, text);

function positiveInteger(value: unknown, at: string): number {
  return Number.isSafeInteger(value) && (value as number) > 0
    ? (value as number)
    : fail(at, 'must be a positive integer');
}

function uniqueSlugs<T extends { readonly slug: string }>(items: T[], at: string): T[] {
  const seen = new Set<string>();
  for (const { slug } of items) {
    if (seen.has(slug)) fail(at, `repeats the slug "${slug}"`);
    seen.add(slug);
  }
  return items;
}

function parseLeaf(value: unknown, at: string, scales: Fields): LeafVocabulary {
  const f = object(
    value,
    at,
    ['slug', 'name', 'nouns', 'medianPriceMinor', 'weightGrams', 'sizeScale', 'details'],
    ['materials'],
  );
  const weight = list(f.weightGrams, `${at}.weightGrams`, positiveInteger);
  const [lightest, heaviest] = weight;
  if (weight.length !== 2 || lightest === undefined || heaviest === undefined) {
    return fail(`${at}.weightGrams`, 'must be [min, max]');
  }
  if (lightest > heaviest) fail(`${at}.weightGrams`, 'must be [min, max] with min ≤ max');
  const sizeScale = text(f.sizeScale, `${at}.sizeScale`);
  if (!Object.hasOwn(scales, sizeScale)) fail(`${at}.sizeScale`, `"${sizeScale}" is no size scale`);
  return {
    slug: text(f.slug, `${at}.slug`),
    name: text(f.name, `${at}.name`),
    nouns: texts(f.nouns, `${at}.nouns`),
    medianPriceMinor: positiveInteger(f.medianPriceMinor, `${at}.medianPriceMinor`),
    weightGrams: [lightest, heaviest],
    sizeScale,
    ...(f.materials === undefined ? {} : { materials: texts(f.materials, `${at}.materials`) }),
    details: texts(f.details, `${at}.details`),
  };
}

function parseSubcategory(value: unknown, at: string, scales: Fields): SubcategoryVocabulary {
  const f = object(value, at, ['slug', 'name', 'leaves']);
  const leaves = list(f.leaves, `${at}.leaves`, (v, a) => parseLeaf(v, a, scales));
  return {
    slug: text(f.slug, `${at}.slug`),
    name: text(f.name, `${at}.name`),
    leaves: uniqueSlugs(leaves, `${at}.leaves`),
  };
}

const departmentWordLists = [
  'brands',
  'materials',
  'adjectives',
  'colors',
  'features',
  'uses',
  'care',
] as const;

function parseDepartment(value: unknown, at: string, scales: Fields): DepartmentVocabulary {
  const f = object(value, at, ['slug', 'name', ...departmentWordLists, 'children']);
  const words = Object.fromEntries(
    departmentWordLists.map((key) => [key, texts(f[key], `${at}.${key}`)]),
  ) as Record<(typeof departmentWordLists)[number], string[]>;
  const children = list(f.children, `${at}.children`, (v, a) => parseSubcategory(v, a, scales));
  return {
    slug: text(f.slug, `${at}.slug`),
    name: text(f.name, `${at}.name`),
    ...words,
    children: uniqueSlugs(children, `${at}.children`),
  };
}

/** Checks parsed JSON and returns it typed; throws at the first faulty field. */
export function parseVocabulary(json: unknown): CatalogVocabulary {
  const f = object(json, 'the vocabulary', ['sizeScales', 'useOpenings', 'departments']);
  const scales = record(f.sizeScales, 'sizeScales');
  const sizeScales = Object.fromEntries(
    Object.entries(scales).map(([name, sizes]) => [name, texts(sizes, `sizeScales.${name}`)]),
  );
  const departments = list(f.departments, 'departments', (v, a) => parseDepartment(v, a, scales));
  return {
    sizeScales,
    useOpenings: texts(f.useOpenings, 'useOpenings'),
    departments: uniqueSlugs(departments, 'departments'),
  };
}
