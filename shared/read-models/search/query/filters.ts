import { facetToken, rangeToken } from '../document.js';
export type Json = Record<string, unknown>;

/**
 * The filter on one attribute name: any of `values` (when there are some), and the number within
 * `min`..`max` (bounds included) when either is given.
 */
export interface AttributeFilter {
  readonly name: string;
  readonly values: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

/** Filters as the body needs them: the category already resolved to itself and descendants. */
export interface BodyFilters {
  /** Present when a category was asked for; empty when it is unknown (finds nothing). */
  readonly categoryIds?: readonly string[];
  readonly brands: readonly string[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock: boolean;
  readonly attributes: readonly AttributeFilter[];
}

/**
 * A facet group: the facet a filter belongs to. A facet is counted with every filter except the
 * one of its own group (disjunctive facets); an attribute name's values and range are one group.
 */
export type FacetGroup = 'category' | 'brand' | 'price' | 'inStock' | `attr:${string}`;

export interface GroupFilter {
  readonly group: FacetGroup;
  readonly clause: Json;
}

export const VISIBLE = { term: { visible: true } } as const;

/**
 * Any of the values (terms on the flat `name=value` tokens) and, when bounded, the number in
 * range (a keyword range over the order-preserving `rangeTokens`; see document.ts).
 */
export function attributeClause(filter: AttributeFilter): Json {
  const clauses: Json[] = [];
  if (filter.values.length > 0) {
    clauses.push({ terms: { tokens: filter.values.map((v) => facetToken(filter.name, v)) } });
  }
  if (filter.min !== undefined || filter.max !== undefined) {
    const gte = rangeToken(filter.name, filter.min ?? -Infinity);
    const lte = rangeToken(filter.name, filter.max ?? Infinity);
    clauses.push({ range: { rangeTokens: { gte, lte } } });
  }
  return clauses.length === 1 && clauses[0] !== undefined
    ? clauses[0]
    : { bool: { filter: clauses } };
}

/** The filters that are set, each with its facet group, in a fixed order. */
export function groupFilters(f: BodyFilters): GroupFilter[] {
  const out: GroupFilter[] = [];
  if (f.categoryIds !== undefined) {
    out.push({ group: 'category', clause: { terms: { categoryId: f.categoryIds } } });
  }
  if (f.brands.length > 0) out.push({ group: 'brand', clause: { terms: { brand: f.brands } } });
  if (f.priceMin !== undefined || f.priceMax !== undefined) {
    const range = {
      ...(f.priceMin === undefined ? {} : { gte: f.priceMin }),
      ...(f.priceMax === undefined ? {} : { lte: f.priceMax }),
    };
    out.push({ group: 'price', clause: { range: { priceMinor: range } } });
  }
  if (f.inStock) out.push({ group: 'inStock', clause: { term: { inStock: true } } });
  for (const attribute of f.attributes) {
    out.push({ group: `attr:${attribute.name}`, clause: attributeClause(attribute) });
  }
  return out;
}

/** The clauses of every filter but those of `group`. */
export const clausesBut = (filters: readonly GroupFilter[], group?: FacetGroup): Json[] =>
  filters.filter((f) => f.group !== group).map((f) => f.clause);
