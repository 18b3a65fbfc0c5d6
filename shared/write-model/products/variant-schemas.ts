/** JSON Schemas of the variant routes (API.md "Variants"); shared limits with the rules. */
import { productLimits as L } from './limits.js';
import { attributes, images, optionValues, variantBody } from './schemas.js';

/** POST /products/:id/variants: a variant without initial stock (adjustments give it stock). */
export const addVariantBody = {
  ...variantBody,
  properties: {
    id: variantBody.properties.id,
    sku: variantBody.properties.sku,
    options: variantBody.properties.options,
    price: variantBody.properties.price,
    attributes: variantBody.properties.attributes,
    images: variantBody.properties.images,
  },
} as const;

/** PATCH /products/:id/variants/:variantId. */
export const patchVariantBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    sku: { type: 'string', pattern: L.skuPattern },
    options: optionValues,
    attributes,
    images,
  },
} as const;

export const variantParams = {
  type: 'object',
  required: ['id', 'variantId'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    variantId: { type: 'string', format: 'uuid' },
  },
} as const;

export const variantVersionResponse = {
  type: 'object',
  required: ['id', 'version', 'variantId'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    version: { type: 'integer' },
    variantId: { type: 'string', format: 'uuid' },
  },
} as const;

export const variantStockResponse = {
  type: 'object',
  required: ['id', 'version', 'variantId', 'available'],
  properties: {
    ...variantVersionResponse.properties,
    available: { type: 'integer', description: "the variant's stock over every warehouse" },
  },
} as const;
