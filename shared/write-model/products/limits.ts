/** Limits on product content, shared by the JSON Schemas (HTTP, import) and the pure rules. */
export const productLimits = {
  skuPattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$',
  nameMax: 200,
  descriptionMax: 10_000,
  brandMax: 100,
  attributesMax: 50,
  attributeNamePattern: '^[a-z][a-z0-9_]{0,63}$',
  attributeTextMax: 200,
  attributeListMax: 20,
  imagesMax: 20,
  imageUrlMax: 2048,
  amountMinorMax: 1_000_000_000_000,
  warehousePattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
  stockDeltaMax: 1_000_000_000,
  reasonMax: 200,
  /** Option names of a product (API.md: at most 3, e.g. color, size, material). */
  optionsMax: 3,
  optionValueMax: 100,
  /** Variants of one product: every combination of 3 options of 4-5 values each fits. */
  variantsMax: 100,
} as const;
