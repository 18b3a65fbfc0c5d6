import t from 'tap';
import type { ProductSnapshot, VariantSnapshot } from '../../../events/catalog-events.js';
import { searchDocument } from '../document.js';
import { clausesBut, groupFilters, variantConditionBut, type BodyFilters } from './filters.js';
import {
  VARIANT_CONDITION_LIMITS,
  variantClause,
  variantClauseCost,
  withOptionClauses,
  withProbeOption,
  type VariantCondition,
} from './variant-filter.js';

t.test('The clause of black or grey, XL, in stock: one token set per option subset', async (t) => {
  const clause = variantClause({
    options: [
      { name: 'color', values: ['black', 'grey'] },
      { name: 'size', values: ['XL'] },
    ],
    inStock: true,
  });
  t.strictSame(clause, {
    bool: {
      should: [
        {
          bool: {
            filter: [{ terms: { variantKeys: ['|1'] } }],
            must_not: [{ terms: { optionNames: ['color', 'size'] } }],
          },
        },
        {
          bool: {
            filter: [{ terms: { variantKeys: ['color=black|1', 'color=grey|1'] } }],
            must_not: [{ terms: { optionNames: ['size'] } }],
          },
        },
        {
          bool: {
            filter: [{ terms: { variantKeys: ['size=XL|1'] } }],
            must_not: [{ terms: { optionNames: ['color'] } }],
          },
        },
        { terms: { variantKeys: ['color=black|size=XL|1', 'color=grey|size=XL|1'] } },
      ],
      minimum_should_match: 1,
    },
  });
  t.equal(variantClause({ options: [], inStock: false }), undefined, 'nothing to ask');
  t.strictSame(variantClause({ options: [], inStock: true }), {
    terms: { variantKeys: ['|1'] },
  });
});

// ----- the clauses against an in-memory evaluator, over documents built from snapshots -----

type Doc = Record<string, unknown>;
type Clause = Record<string, unknown>;

const values = (doc: Doc, field: string): string[] => {
  const v = doc[field] as string | number | boolean | (string | number)[] | null | undefined;
  return Array.isArray(v) ? v.map(String) : v === null || v === undefined ? [] : [String(v)];
};

/** The subset of the DSL the builders use, evaluated on one document. */
function matches(doc: Doc, clause: Clause): boolean {
  const [kind, body] = Object.entries(clause)[0] as [string, Record<string, unknown>];
  switch (kind) {
    case 'term': {
      const [field, value] = Object.entries(body)[0] as [string, unknown];
      return values(doc, field).includes(String(value));
    }
    case 'terms': {
      const [field, wanted] = Object.entries(body)[0] as [string, unknown[]];
      return values(doc, field).some((v) => wanted.map(String).includes(v));
    }
    case 'range': {
      const [field, r] = Object.entries(body)[0] as [string, { gte: string; lte: string }];
      return values(doc, field).some((v) => v >= r.gte && v <= r.lte);
    }
    case 'bool': {
      const b = body as { filter?: Clause[]; should?: Clause[]; must_not?: Clause[] };
      return (
        (b.filter ?? []).every((c) => matches(doc, c)) &&
        (b.must_not ?? []).every((c) => !matches(doc, c)) &&
        (b.should === undefined || b.should.some((c) => matches(doc, c)))
      );
    }
    default:
      throw new Error(`the evaluator does not know ${kind}`);
  }
}

/** A small deterministic generator (the tests must not depend on chance). */
function prng(seed: number) {
  let state = seed;
  return (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

const COLORS = ['black', 'grey', 'red|x'];
const SIZES = ['M', 'XL'];
const FITS = ['slim', 'wide'];
const DOMAIN: Record<string, string[]> = { color: COLORS, size: SIZES, fit: FITS };

function product(i: number, random: (n: number) => number): ProductSnapshot {
  const names = Object.keys(DOMAIN).filter(() => random(2) === 0);
  const attributes: Record<string, string | string[]> = {};
  for (const name of Object.keys(DOMAIN)) {
    if (!names.includes(name) && random(2) === 0) {
      attributes[name] = (DOMAIN[name] ?? []).filter(() => random(2) === 0).slice(0, 2);
    }
  }
  const variants: VariantSnapshot[] = [];
  const seen = new Set<string>();
  for (let v = 0; names.length > 0 && v < 4; v++) {
    const options = Object.fromEntries(
      names.map((n) => [n, DOMAIN[n]?.[random(DOMAIN[n]?.length ?? 1)] ?? '']),
    );
    if (seen.has(JSON.stringify(options))) continue;
    seen.add(JSON.stringify(options));
    const available = random(2) * 3;
    variants.push({
      id: `v${i}-${v}`,
      sku: `S${i}-${v}`,
      options,
      attributes: {},
      images: [],
      price: random(5) === 0 ? null : { amountMinor: 1000 + 500 * random(6), currency: 'EUR' },
      stock: { available, byWarehouse: {} },
    });
  }
  return {
    id: `p${i}`,
    sku: `S${i}`,
    name: 'n',
    description: '',
    brand: null,
    categoryId: null,
    attributes,
    images: [],
    price: names.length > 0 ? null : { amountMinor: 1000 + 500 * random(6), currency: 'EUR' },
    stock: { available: names.length > 0 ? 0 : random(2) * 2, byWarehouse: {} },
    status: 'published',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
    options: names,
    variants,
  };
}

/** The rule, written directly: one sellable row has every asked value, the price and stock. */
function groundTruth(p: ProductSnapshot, f: BodyFilters): boolean {
  const rows =
    (p.variants ?? []).length === 0
      ? [{ options: {} as Record<string, string>, price: p.price, available: p.stock.available }]
      : (p.variants ?? []).map((v) => ({
          options: v.options,
          price: v.price,
          available: v.stock.available,
        }));
  return rows.some((row) => {
    if (f.inStock && row.available <= 0) return false;
    if (f.priceMin !== undefined || f.priceMax !== undefined) {
      const amount = row.price?.amountMinor;
      if (amount === undefined) return false;
      if (f.priceMin !== undefined && amount < f.priceMin) return false;
      if (f.priceMax !== undefined && amount > f.priceMax) return false;
    }
    return f.attributes.every((a) => {
      const option = row.options[a.name];
      if ((p.options ?? []).includes(a.name))
        return option !== undefined && a.values.includes(option);
      const attribute = p.attributes[a.name];
      const list: readonly (string | number)[] =
        attribute === undefined
          ? []
          : typeof attribute === 'string' || typeof attribute === 'number'
            ? [attribute]
            : attribute;
      return list.some((v) => a.values.includes(String(v)));
    });
  });
}

function filters(random: (n: number) => number): BodyFilters {
  const attributes = Object.keys(DOMAIN)
    .filter(() => random(3) === 0)
    .map((name) => ({
      name,
      values: (DOMAIN[name] ?? []).filter(() => random(2) === 0),
    }))
    .filter((a) => a.values.length > 0);
  const price = random(4);
  return {
    brands: [],
    inStock: random(3) === 0,
    attributes,
    ...(price === 1 ? { priceMin: 1500 } : {}),
    ...(price === 2 ? { priceMin: 1000, priceMax: 2000 } : {}),
  };
}

t.test('Every generated filter matches exactly the products the rule says', async (t) => {
  const random = prng(42);
  const products = Array.from({ length: 60 }, (_, i) => product(i, random));
  const docs = products.map((p) => searchDocument(p));
  let checked = 0;
  let matched = 0;
  for (let n = 0; n < 150; n++) {
    const f = filters(random);
    const clause = { bool: { filter: clausesBut(groupFilters(f)) } };
    products.forEach((p, i) => {
      const expected = groundTruth(p, f);
      const actual = matches(docs[i] as Doc, clause);
      if (expected !== actual) {
        t.fail(
          `${JSON.stringify(f)} on ${JSON.stringify(p.variants)} ${JSON.stringify(p.attributes)}`,
        );
      }
      checked++;
      if (expected) matched++;
    });
  }
  t.ok(matched > 200 && matched < checked - 200, `${matched} of ${checked} matched: both ways`);
});

t.test(
  'A value added to a condition: the product matches as an attribute or as an option, never both, and exactly when it matches the whole',
  async (t) => {
    const random = prng(7);
    const products = Array.from({ length: 60 }, (_, i) => product(i, random));
    const docs = products.map((p) => searchDocument(p) as Doc);
    let matched = 0;
    for (let n = 0; n < 60; n++) {
      const condition = variantConditionBut(groupFilters(filters(random)));
      const asked = new Set(condition.options.map((o) => o.name));
      for (const [name, domain] of Object.entries(DOMAIN).filter(([name]) => !asked.has(name))) {
        const { asAttribute } = withOptionClauses(condition, name, '');
        for (const value of domain) {
          const token = { term: { tokens: `${name}=${value}` } };
          const whole = {
            bool: {
              filter: [
                token,
                variantClause({
                  ...condition,
                  options: [...condition.options, { name, values: [value] }],
                }) as Clause,
              ],
            },
          };
          const { asOption } = withOptionClauses(condition, name, value);
          docs.forEach((doc) => {
            const attribute = matches(doc, { bool: { filter: [token, asAttribute] } });
            const option = asOption !== undefined && matches(doc, asOption);
            if (attribute && option)
              t.fail(`both parts match ${name}=${value} on ${String(doc['id'])}`);
            if (matches(doc, whole) !== (attribute || option)) {
              t.fail(`${JSON.stringify(condition)} + ${name}=${value} on ${String(doc['id'])}`);
            }
            if (attribute || option) matched++;
          });
        }
      }
    }
    t.ok(matched > 100, `${matched} matches`);
  },
);

t.test('The traps: values on different variants, price and stock of another variant', async (t) => {
  const base = product(0, () => 0);
  const tee: ProductSnapshot = {
    ...base,
    attributes: { material: 'cotton' },
    options: ['color', 'size'],
    variants: [
      {
        ...(base.variants?.[0] as VariantSnapshot),
        id: 'a',
        options: { color: 'black', size: 'M' },
        price: { amountMinor: 1000, currency: 'EUR' },
        stock: { available: 5, byWarehouse: {} },
      },
      {
        ...(base.variants?.[0] as VariantSnapshot),
        id: 'b',
        options: { color: 'grey', size: 'XL' },
        price: { amountMinor: 3000, currency: 'EUR' },
        stock: { available: 0, byWarehouse: {} },
      },
    ],
  };
  const doc = searchDocument(tee);
  const match = (f: Partial<BodyFilters>) =>
    matches(doc, {
      bool: {
        filter: clausesBut(groupFilters({ brands: [], inStock: false, attributes: [], ...f })),
      },
    });
  const attr = (name: string, ...vs: string[]) => ({ name, values: vs });
  t.notOk(match({ attributes: [attr('color', 'black'), attr('size', 'XL')] }), 'black-M + grey-XL');
  t.ok(match({ attributes: [attr('color', 'black'), attr('size', 'M')] }));
  t.ok(match({ attributes: [attr('color', 'black', 'grey'), attr('size', 'XL')] }), 'any value');
  t.notOk(match({ attributes: [attr('size', 'XL')], inStock: true }), 'XL is out of stock');
  t.notOk(match({ attributes: [attr('color', 'black')], priceMin: 2000 }), 'black costs 1000');
  t.ok(match({ attributes: [attr('color', 'grey')], priceMin: 2000 }));
  t.notOk(match({ priceMin: 2000, inStock: true }), 'the one above 2000 is out of stock');
  t.ok(
    match({ attributes: [attr('color', 'black'), attr('material', 'cotton')] }),
    'a product attribute holds for every variant',
  );
  t.notOk(match({ attributes: [attr('material', 'wool')] }));
});

/** Leaf queries of a clause, as the engine counts them against its clause limit. */
function leaves(clause: Clause): number {
  const [kind, body] = Object.entries(clause)[0] as [string, Record<string, unknown>];
  if (kind !== 'bool') return 1;
  return (['filter', 'should', 'must_not'] as const).reduce(
    (sum, key) =>
      sum + ((body[key] as Clause[] | undefined) ?? []).reduce((n, c) => n + leaves(c), 0),
    0,
  );
}

t.test('The cost says how many leaf queries and terms the clause has', async (t) => {
  const conditions: VariantCondition[] = [
    { options: [{ name: 'color', values: ['a', 'b', 'c'] }], inStock: false },
    {
      options: [
        { name: 'color', values: ['a', 'b'] },
        { name: 'size', values: ['M', 'L', 'XL'] },
        { name: 'fit', values: ['x'] },
        { name: 'width', values: ['1', '2'] },
      ],
      priceMax: 5000,
      inStock: false,
    },
    { options: [{ name: 'size', values: ['M'] }], priceMin: 100, inStock: true },
  ];
  for (const c of conditions) {
    const clause = variantClause(c) as Clause;
    const terms = JSON.stringify(clause).match(/"variantKeys":\[[^\]]*\]/g) ?? [];
    // A range on prices stands for the two key ranges it replaced, so the bound did not move.
    const rowPrices = JSON.stringify(clause).split('"prices"').length - 1;
    t.strictSame(variantClauseCost(c), {
      clauses: leaves(clause) + rowPrices,
      terms: terms.reduce((n, list) => n + (list.match(/","|"\]/g)?.length ?? 0), 0),
    });
  }
  const many = {
    options: Array.from({ length: 9 }, (_, i) => ({ name: `n${i}`, values: ['1', '2'] })),
    priceMax: 10,
    inStock: false,
  };
  t.ok(
    variantClauseCost(withProbeOption(many)).clauses > VARIANT_CONDITION_LIMITS.clauses,
    'nine names of two values with a price are beyond the bound',
  );
});
