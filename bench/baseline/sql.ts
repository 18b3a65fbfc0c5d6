/**
 * The one SQL statement that answers a baseline search: hits, exact total and disjunctive facets
 * in one round trip, built by a pure function from a canonical request. Only constants of this
 * module become SQL text; every client value is a bind parameter.
 *
 * How the facets stay disjunctive at a reasonable cost (what a team writing this by hand would
 * do): `matching` is the result set with every filter applied; it gives the hits, the total and
 * every facet whose group has no selection, in one GROUPING SETS pass (attribute facets by a join
 * on product_attributes). Each group that has a selection (brand, category, price, in_stock, one
 * attribute name) gets one more aggregate over the products that pass every *other* filter, so
 * that each of those queries can use the indexes of the filters it keeps.
 */
import type { AttributeFilter, BaselineRequest, BaselineSort } from './params.js';

/** Price facet ranges in minor units: [from, to), the last one open (the API's fixed ranges). */
export const PRICE_BOUNDS = [1_000, 2_500, 5_000, 10_000, 25_000] as const;

/** Buckets per facet, the most frequent first (ties: value in byte order). */
export const FACET_LIMITS = {
  brand: 50,
  category: 100,
  attributeNames: 20,
  attributeValues: 30,
} as const;

/** The text search configuration of the search_vector column (schema.ts). */
export const TEXT_CONFIG = 'english';

export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

type CoreGroup = 'brand' | 'category' | 'price' | 'inStock';
type GroupKey = CoreGroup | `attr:${string}`;

interface Condition {
  readonly key: GroupKey;
  readonly sql: string;
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const IN_STOCK =
  'EXISTS (SELECT 1 FROM stock_levels s WHERE s.product_id = p.id AND s.on_hand > 0)';
const PRICE_BUCKET = `width_bucket(pr.amount_minor, ARRAY[${PRICE_BOUNDS.join(',')}]::bigint[])`;
const BASE_FROM = 'products p LEFT JOIN product_prices pr ON pr.product_id = p.id';
/** Value of a core facet on a base row (products p + prices pr), as text. */
const CORE_VALUE: Record<CoreGroup, string> = {
  brand: 'p.brand',
  category: 'p.category_id::text',
  price: `(${PRICE_BUCKET})::text`,
  inStock: `(${IN_STOCK})::text`,
};
/** The same value read from a `matching` row, for the GROUPING SETS pass. */
const MATCHING_COLUMN: Record<CoreGroup, string> = {
  brand: 'brand',
  category: 'category_id',
  price: 'bucket',
  inStock: 'in_stock',
};

/**
 * Any word may match (OR), each word stemmed by the english configuration; ranking puts rows
 * that match more of the words (and in the name rather than the description) first.
 */
function textQuery(words: readonly string[], params: Params): string | undefined {
  if (words.length === 0) return undefined;
  const parts = words.map((w) => `plainto_tsquery('${TEXT_CONFIG}', ${params.add(w, 'text')})`);
  return `(${parts.join(' || ')})`;
}

function attributeCondition(filter: AttributeFilter, params: Params): string {
  const name = params.add(filter.name, 'text');
  const values = params.add(filter.values, 'text[]');
  return `EXISTS (SELECT 1 FROM product_attributes a WHERE a.product_id = p.id AND a.name = ${name}
    AND (a.text_value = ANY(${values}) OR a.list_value && ${values}
         OR a.number_value::text = ANY(${values})))`;
}

function conditions(request: BaselineRequest, params: Params): Condition[] {
  const out: Condition[] = [];
  if (request.category !== undefined) {
    // An id that is not a UUID names no category: the search finds nothing, as for unknown ids.
    const sql = UUID.test(request.category) ? 'p.category_id IN (SELECT id FROM wanted)' : 'false';
    out.push({ key: 'category', sql });
  }
  if (request.brands.length > 0) {
    out.push({ key: 'brand', sql: `p.brand = ANY(${params.add(request.brands, 'text[]')})` });
  }
  if (request.priceMin !== undefined || request.priceMax !== undefined) {
    const bounds = [
      ...(request.priceMin === undefined
        ? []
        : [`pr.amount_minor >= ${params.add(request.priceMin, 'bigint')}`]),
      ...(request.priceMax === undefined
        ? []
        : [`pr.amount_minor <= ${params.add(request.priceMax, 'bigint')}`]),
    ];
    out.push({ key: 'price', sql: bounds.join(' AND ') });
  }
  if (request.inStock) out.push({ key: 'inStock', sql: IN_STOCK });
  for (const filter of request.attributes) {
    out.push({ key: `attr:${filter.name}`, sql: attributeCondition(filter, params) });
  }
  return out;
}

function where(base: readonly string[], all: readonly Condition[], except?: GroupKey): string {
  return [...base, ...all.filter((c) => c.key !== except).map((c) => c.sql)].join('\n  AND ');
}

/** ORDER BY of each sort on a row with id, price, created_at (and rank); ids break every tie. */
export function orderBy(sort: BaselineSort, ranked: boolean, alias = ''): string {
  const c = (column: string) => `${alias}${column}`;
  switch (sort) {
    case 'relevance':
      return ranked ? `${c('rank')} DESC, ${c('id')}` : c('id');
    case 'price_asc':
      return `${c('price')} ASC NULLS LAST, ${c('id')}`;
    case 'price_desc':
      return `${c('price')} DESC NULLS LAST, ${c('id')}`;
    case 'newest':
      return `${c('created_at')} DESC, ${c('id')}`;
  }
}

/** The highlight of the name (whole) and the best description fragment; HTML-escaped first. */
function headlines(tsquery: string | undefined): string {
  if (tsquery === undefined) return 'NULL::text AS hl_name, NULL::text AS hl_description';
  const escaped = (column: string) =>
    `replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
  const tags = 'StartSel=<em>, StopSel=</em>';
  return `ts_headline('${TEXT_CONFIG}', ${escaped('p.name')}, ${tsquery}, 'HighlightAll=true, ${tags}') AS hl_name,
    ts_headline('${TEXT_CONFIG}', ${escaped('p.description')}, ${tsquery},
                'MaxFragments=1, MaxWords=30, MinWords=12, ${tags}') AS hl_description`;
}

/** Facets of the groups without a selection, and the total, in one pass over `matching`. */
function matchingFacets(selected: ReadonlySet<GroupKey>): string {
  const groups = (['brand', 'category', 'price', 'inStock'] as const).filter(
    (g) => !selected.has(g),
  );
  const columns = groups.map((g) => MATCHING_COLUMN[g]);
  const facet =
    groups.length === 0
      ? "'total'"
      : `CASE ${groups.map((g) => `WHEN GROUPING(${MATCHING_COLUMN[g]}) = 0 THEN '${g}'`).join(' ')} ELSE 'total' END`;
  const value =
    columns.length === 0
      ? 'NULL::text'
      : `COALESCE(${columns.map((c) => `${c}::text`).join(', ')})`;
  const sets = [...columns.map((c) => `(${c})`), '()'].join(', ');
  return `SELECT ${facet} AS facet, ''::text AS name, ${value} AS value, count(*) AS n
    FROM matching GROUP BY GROUPING SETS (${sets})`;
}

function selectedCoreFacet(group: CoreGroup, base: string[], all: readonly Condition[]): string {
  return `SELECT '${group}'::text, ''::text, ${CORE_VALUE[group]}, count(*)
    FROM ${BASE_FROM}
   WHERE ${where(base, all, group)}
   GROUP BY 3`;
}

/**
 * Value counts of the attribute rows `from` joins (as `a`), as text: a text or number attribute
 * is one value (numbers as Postgres prints them), a list one per item. Two aggregates, so that
 * only list rows pay for unnest.
 */
function attributeCounts(from: string, where: string): string[] {
  return [
    `SELECT 'attr'::text, a.name, coalesce(a.text_value, a.number_value::text), count(*)
    FROM ${from}
   WHERE ${where} AND a.kind <> 'list'
   GROUP BY 2, 3`,
    `SELECT 'attr'::text, a.name, v.value, count(*)
    FROM ${from} CROSS JOIN LATERAL unnest(a.list_value) AS v(value)
   WHERE ${where} AND a.kind = 'list'
   GROUP BY 2, 3`,
  ];
}

function unselectedAttributeFacets(request: BaselineRequest, params: Params): string[] {
  const names = request.attributes.map((a) => a.name);
  const where = names.length === 0 ? 'true' : `a.name <> ALL(${params.add(names, 'text[]')})`;
  return attributeCounts('matching m JOIN product_attributes a ON a.product_id = m.id', where);
}

function selectedAttributeFacet(
  filter: AttributeFilter,
  base: string[],
  all: readonly Condition[],
  params: Params,
): string[] {
  const name = params.add(filter.name, 'text');
  return attributeCounts(
    `${BASE_FROM} JOIN product_attributes a ON a.product_id = p.id AND a.name = ${name}`,
    `(${where(base, all, `attr:${filter.name}`)})`,
  );
}

const facetLimit = `CASE facet WHEN 'brand' THEN ${FACET_LIMITS.brand}
  WHEN 'category' THEN ${FACET_LIMITS.category} WHEN 'attr' THEN ${FACET_LIMITS.attributeValues}
  ELSE 1000 END`;

/** The statement; its one row has `items` (json), `facets` (json) and `total`. */
export function buildSearchSql(request: BaselineRequest): SqlStatement {
  const params = new Params();
  const tsquery = textQuery(request.words, params);
  const all = conditions(request, params);
  const selected = new Set(all.map((c) => c.key));
  const base = [
    "p.status = 'published'",
    ...(tsquery === undefined ? [] : [`p.search_vector @@ ${tsquery}`]),
  ];
  const ranked = tsquery !== undefined && request.sort === 'relevance';

  const ctes: string[] = [];
  if (request.category !== undefined && UUID.test(request.category)) {
    ctes.push(`wanted(id) AS (
      SELECT id FROM categories WHERE id = ${params.add(request.category, 'uuid')}
      UNION ALL SELECT c.id FROM categories c JOIN wanted w ON c.parent_id = w.id)`);
  }
  ctes.push(`matching AS MATERIALIZED (
    SELECT p.id, p.brand, p.category_id, p.created_at, pr.amount_minor AS price,
           ${IN_STOCK} AS in_stock, ${PRICE_BUCKET} AS bucket
           ${ranked ? `, ts_rank(p.search_vector, ${tsquery ?? ''}) AS rank` : ''}
      FROM ${BASE_FROM}
     WHERE ${where(base, all)})`);
  const limit = params.add(request.size + 1, 'int');
  const offset = params.add((request.page - 1) * request.size, 'int');
  ctes.push(`page AS (
    SELECT * FROM matching ORDER BY ${orderBy(request.sort, ranked)} LIMIT ${limit} OFFSET ${offset})`);
  ctes.push(`hits AS (
    SELECT pg.*, p.sku, p.name, p.images[1] AS image, pr.currency, ${headlines(tsquery)}
      FROM page pg JOIN products p ON p.id = pg.id
      LEFT JOIN product_prices pr ON pr.product_id = pg.id)`);

  const facetQueries = [
    matchingFacets(selected),
    ...(['brand', 'category', 'price', 'inStock'] as const)
      .filter((g) => selected.has(g))
      .map((g) => selectedCoreFacet(g, base, all)),
    ...unselectedAttributeFacets(request, params),
    ...request.attributes.flatMap((f) => selectedAttributeFacet(f, base, all, params)),
  ];
  ctes.push(`counts(facet, name, value, n) AS (\n${facetQueries.join('\nUNION ALL\n')})`);
  ctes.push(`ranked AS (
    SELECT facet, name, value, n,
           row_number() OVER (PARTITION BY facet, name ORDER BY n DESC, value COLLATE "C") AS position,
           sum(n) OVER (PARTITION BY facet, name) AS name_total
      FROM counts WHERE value IS NOT NULL AND facet <> 'total')`);

  const item = `json_build_object('id', h.id, 'sku', h.sku, 'name', h.name, 'brand', h.brand,
    'amountMinor', h.price, 'currency', h.currency, 'inStock', h.in_stock,
    'category', h.category_id, 'image', h.image, 'hlName', h.hl_name,
    'hlDescription', h.hl_description)`;
  const text = `WITH RECURSIVE ${ctes.join(',\n')}
SELECT
  (SELECT coalesce(json_agg(${item} ORDER BY ${orderBy(request.sort, ranked, 'h.')}), '[]'::json)
     FROM hits h) AS items,
  (SELECT coalesce(json_agg(json_build_object('facet', facet, 'name', name, 'value', value,
                                              'count', n, 'nameTotal', name_total)), '[]'::json)
     FROM ranked WHERE position <= ${facetLimit}) AS facets,
  (SELECT n FROM counts WHERE facet = 'total') AS total`;
  return { text, values: params.values };
}
