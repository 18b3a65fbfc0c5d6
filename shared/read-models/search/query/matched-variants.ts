import type { AttributeFilter } from './filters.js';

/** The filters `matchedVariants` applies (the variant ones; the product ones held already). */
export interface VariantFilters {
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock: boolean;
  readonly attributes: readonly AttributeFilter[];
}

interface StoredVariant {
  readonly id: string;
  /** Values aligned with the document's optionNames. */
  readonly options: readonly (string | null)[];
  readonly price: number | null;
  readonly inStock: boolean;
}

const isStoredVariant = (v: unknown): v is StoredVariant => {
  const c = v as Partial<StoredVariant> | null;
  return typeof c?.id === 'string' && Array.isArray(c.options);
};

/**
 * The ids of a hit's variants that satisfy the filters, from the compact variant list kept in
 * _source (document.ts), with the predicate of the variant condition (variant-filter.ts): every
 * filtered name that is an option of the product has one of the asked values, the price is within
 * the range, the variant is in stock when asked. Names that are no option of the product are
 * product attributes, which the engine already checked. Without variant filters: every variant.
 */
export function matchedVariants(
  optionNames: unknown,
  variants: unknown,
  filters: VariantFilters,
): string[] {
  if (!Array.isArray(variants)) return [];
  const names = Array.isArray(optionNames) ? (optionNames as unknown[]) : [];
  const asked = filters.attributes.flatMap((a) => {
    const at = names.indexOf(a.name);
    return at < 0 || a.values.length === 0 ? [] : [{ at, values: new Set(a.values) }];
  });
  const priced = filters.priceMin !== undefined || filters.priceMax !== undefined;
  return variants.filter(isStoredVariant).flatMap((v) => {
    if (filters.inStock && v.inStock !== true) return [];
    if (priced) {
      if (typeof v.price !== 'number') return [];
      if (filters.priceMin !== undefined && v.price < filters.priceMin) return [];
      if (filters.priceMax !== undefined && v.price > filters.priceMax) return [];
    }
    const matches = asked.every(({ at, values }) => {
      const value = v.options[at];
      return typeof value === 'string' && values.has(value);
    });
    return matches ? [v.id] : [];
  });
}
