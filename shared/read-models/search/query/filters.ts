import { facetToken, rangeToken } from '../document.js';
import { variantClause, type VariantCondition } from './variant-filter.js';
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

/**
 * The filter of one facet group, in two parts: a clause on the product (category, brand,
 * attribute tokens and ranges) and a part of the variant condition (option values, price, stock:
 * variant-filter.ts), which the groups' parts form together, so that they hold on one variant.
 */
export interface GroupFilter {
  readonly group: FacetGroup;
  readonly clause?: Json;
  readonly variant?: VariantPart;
}

export type VariantPart =
  | { readonly option: { readonly name: string; readonly values: readonly string[] } }
  | { readonly price: { readonly min?: number; readonly max?: number } }
  | { readonly inStock: true };

export const VISIBLE = { term: { visible: true } } as const;

/**
 * Any of the values (terms on the flat `name=value` tokens) and, when bounded, the number in
 * range (a keyword range over the order-preserving `rangeTokens`; see document.ts). Whether the
 * values are on one variant together with the other filters is the variant condition's part.
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
    const price = {
      ...(f.priceMin === undefined ? {} : { min: f.priceMin }),
      ...(f.priceMax === undefined ? {} : { max: f.priceMax }),
    };
    out.push({ group: 'price', variant: { price } });
  }
  if (f.inStock) out.push({ group: 'inStock', variant: { inStock: true } });
  for (const a of f.attributes) {
    out.push({
      group: `attr:${a.name}`,
      clause: attributeClause(a),
      ...(a.values.length === 0 ? {} : { variant: { option: { name: a.name, values: a.values } } }),
    });
  }
  return out;
}

/** The variant condition of the given groups' parts. */
export function variantCondition(filters: readonly GroupFilter[]): VariantCondition {
  let condition: VariantCondition = { options: [], inStock: false };
  for (const { variant } of filters) {
    if (variant === undefined) continue;
    if ('option' in variant) {
      condition = { ...condition, options: [...condition.options, variant.option] };
    } else if ('price' in variant) {
      condition = {
        ...condition,
        ...(variant.price.min === undefined ? {} : { priceMin: variant.price.min }),
        ...(variant.price.max === undefined ? {} : { priceMax: variant.price.max }),
      };
    } else condition = { ...condition, inStock: true };
  }
  return condition;
}

const others = (filters: readonly GroupFilter[], group?: FacetGroup) =>
  filters.filter((f) => f.group !== group);

/** The product clauses of every filter but those of `group` (no variant condition). */
export const productClausesBut = (filters: readonly GroupFilter[], group?: FacetGroup): Json[] =>
  others(filters, group).flatMap((f) => (f.clause === undefined ? [] : [f.clause]));

/** The variant condition of every filter but those of `group`. */
export const variantConditionBut = (
  filters: readonly GroupFilter[],
  group?: FacetGroup,
): VariantCondition => variantCondition(others(filters, group));

/** The clauses of every filter but those of `group`: product clauses, then the variant clause. */
export function clausesBut(filters: readonly GroupFilter[], group?: FacetGroup): Json[] {
  const variant = variantClause(variantConditionBut(filters, group));
  return [...productClausesBut(filters, group), ...(variant === undefined ? [] : [variant])];
}
