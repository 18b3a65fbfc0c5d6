import { productLimits as L } from './limits.js';

const problem = { $ref: 'Problem#' } as const;
export const errorResponses = { '4xx': problem, '5xx': problem } as const;

export const money = {
  type: 'object',
  additionalProperties: false,
  required: ['amountMinor', 'currency'],
  properties: {
    amountMinor: {
      type: 'integer',
      minimum: 0,
      maximum: L.amountMinorMax,
      description: 'minor units',
    },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' },
  },
} as const;

export const attributeValue = {
  anyOf: [
    { type: 'string', maxLength: L.attributeTextMax },
    { type: 'number' },
    {
      type: 'array',
      minItems: 1,
      maxItems: L.attributeListMax,
      items: { type: 'string', maxLength: L.attributeTextMax },
    },
  ],
} as const;

export const attributes = {
  type: 'object',
  maxProperties: L.attributesMax,
  propertyNames: { pattern: L.attributeNamePattern },
  additionalProperties: attributeValue,
} as const;

export const images = {
  type: 'array',
  maxItems: L.imagesMax,
  items: { type: 'string', format: 'uri', maxLength: L.imageUrlMax },
} as const;

/** Initial stock per warehouse (create bodies and import lines). */
export const initialStock = {
  type: 'object',
  maxProperties: 100,
  propertyNames: { pattern: L.warehousePattern },
  additionalProperties: { type: 'integer', minimum: 0, maximum: L.stockDeltaMax },
} as const;

const options = {
  type: 'array',
  maxItems: L.optionsMax,
  uniqueItems: true,
  items: { type: 'string', pattern: L.attributeNamePattern },
  description: 'ordered option names of the variants, e.g. ["color", "size"]',
} as const;

const content = {
  name: { type: 'string', minLength: 1, maxLength: L.nameMax },
  description: { type: 'string', maxLength: L.descriptionMax },
  brand: { type: ['string', 'null'], maxLength: L.brandMax },
  categoryId: { type: ['string', 'null'], format: 'uuid' },
  attributes,
  images,
} as const;

/** A variant's value for each option of its product: `{color: "black", size: "XL"}`. */
export const optionValues = {
  type: 'object',
  minProperties: 1,
  maxProperties: L.optionsMax,
  propertyNames: { pattern: L.attributeNamePattern },
  additionalProperties: { type: 'string', minLength: 1, maxLength: L.optionValueMax },
} as const;

/** One variant of a create body or import line (the add-variant body has no stock). */
export const variantBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'options'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    sku: { type: 'string', pattern: L.skuPattern },
    options: optionValues,
    price: money,
    attributes,
    images,
    stock: initialStock,
  },
} as const;

/** The create body; also the schema of one NDJSON import line. */
export const createProductBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'name'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    sku: { type: 'string', pattern: L.skuPattern },
    ...content,
    price: money,
    status: { type: 'string', enum: ['draft', 'published', 'archived'] },
    stock: initialStock,
    options,
    variants: {
      type: 'array',
      maxItems: L.variantsMax,
      items: variantBody,
      description: 'each a SKU with one value per option; then the product has no price or stock',
    },
  },
} as const;

export const patchProductBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...content,
    options: {
      ...options,
      description: 'ordered option names; they change only while the product has no variants',
    },
  },
} as const;

export const stockAdjustmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['warehouse', 'delta', 'reason'],
  properties: {
    warehouse: { type: 'string', pattern: L.warehousePattern },
    delta: {
      type: 'integer',
      minimum: -L.stockDeltaMax,
      maximum: L.stockDeltaMax,
      not: { const: 0 },
    },
    reason: { type: 'string', minLength: 1, maxLength: L.reasonMax },
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const versionResponse = {
  type: 'object',
  required: ['id', 'version'],
  properties: { id: { type: 'string' }, version: { type: 'integer' } },
} as const;

export const stockResponse = {
  type: 'object',
  required: ['id', 'version', 'available'],
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    available: { type: 'integer' },
  },
} as const;

export const stockLevels = {
  type: 'object',
  required: ['available', 'byWarehouse'],
  properties: {
    available: { type: 'integer' },
    byWarehouse: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

const variantResponse = {
  type: 'object',
  required: ['id', 'sku', 'options', 'attributes', 'images', 'price', 'stock'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    sku: { type: 'string' },
    options: { type: 'object', additionalProperties: { type: 'string' } },
    attributes: { type: 'object', additionalProperties: attributeValue },
    images: { type: 'array', items: { type: 'string' } },
    price: { anyOf: [money, { type: 'null' }] },
    stock: stockLevels,
  },
} as const;

export const productResponse = {
  type: 'object',
  required: [
    'id',
    'sku',
    'name',
    'status',
    'version',
    'price',
    'stock',
    'createdAt',
    'updatedAt',
    'options',
    'variants',
  ],
  properties: {
    id: { type: 'string' },
    sku: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    brand: { type: ['string', 'null'] },
    categoryId: { type: ['string', 'null'] },
    attributes: { type: 'object', additionalProperties: attributeValue },
    images: { type: 'array', items: { type: 'string' } },
    price: {
      anyOf: [money, { type: 'null' }],
      description: 'null for a product with variants: each variant has its own',
    },
    stock: stockLevels,
    status: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
    options: { type: 'array', items: { type: 'string' }, description: 'option names, in order' },
    variants: { type: 'array', items: variantResponse, description: 'empty for a single SKU' },
  },
} as const;

export const conditionalHeaders = {
  type: 'object',
  properties: {
    'if-match': { type: 'string', description: 'the version the change applies to, e.g. "3"' },
    'idempotency-key': { type: 'string', maxLength: 255 },
    'x-correlation-id': { type: 'string', maxLength: 128 },
  },
} as const;
