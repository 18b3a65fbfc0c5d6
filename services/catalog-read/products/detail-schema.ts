/**
 * The 200 body of GET /v1/products/:id, for the OpenAPI document: the route answers bytes the
 * detail projector rendered (shared/read-models/detail/document.ts), so this schema describes
 * them; it never serializes them. Fields may be added (additionalProperties).
 */
const money = {
  type: ['object', 'null'],
  required: ['amountMinor', 'currency'],
  properties: {
    amountMinor: { type: 'integer', description: 'minor units' },
    currency: { type: 'string', description: 'ISO 4217' },
  },
} as const;

export const productDetailSchema = {
  description: 'The product detail document',
  type: 'object',
  additionalProperties: true,
  required: [
    'id',
    'sku',
    'name',
    'description',
    'brand',
    'categoryId',
    'attributes',
    'images',
    'price',
    'availability',
    'options',
    'variants',
    'priceRange',
    'updatedAt',
    'version',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    sku: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    brand: { type: ['string', 'null'] },
    categoryId: { type: ['string', 'null'] },
    attributes: {
      type: 'object',
      description: 'name -> string, string list or number, by name',
      additionalProperties: true,
    },
    images: { type: 'array', items: { type: 'string' } },
    price: {
      ...money,
      description:
        'The price; of a product with variants, its lowest variant price (see priceRange)',
    },
    availability: {
      type: 'object',
      required: ['inStock', 'available'],
      properties: {
        inStock: { type: 'boolean' },
        available: { type: 'integer', description: 'of a product with variants: their sum' },
      },
    },
    options: {
      type: 'array',
      description: 'The options in order, each with its values in the order variants use them',
      items: {
        type: 'object',
        required: ['name', 'values'],
        properties: {
          name: { type: 'string' },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    variants: {
      type: 'array',
      description: 'The sellable variants; empty for a product without variants',
      items: {
        type: 'object',
        required: ['id', 'sku', 'options', 'price', 'inStock', 'images'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          sku: { type: 'string' },
          options: {
            type: 'object',
            description: 'option name -> value, in the order of options',
            additionalProperties: { type: 'string' },
          },
          price: money,
          inStock: { type: 'boolean' },
          images: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    priceRange: {
      type: ['object', 'null'],
      description:
        'Lowest and highest price of the priced variants (of the product itself when it has none; min = max); null when nothing is priced',
      required: ['min', 'max', 'currency'],
      properties: {
        min: { type: 'integer' },
        max: { type: 'integer' },
        currency: { type: 'string' },
      },
    },
    updatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
  },
} as const;
