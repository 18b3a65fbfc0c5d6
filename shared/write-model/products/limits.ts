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
} as const;
