import { productLimits as L } from '../../../shared/write-model/products/limits.js';
import { productListLimits as LL } from '../../../shared/write-model/products/list-query.js';
import { money } from '../../../shared/write-model/products/schemas.js';

/** GET /admin/v1/products query: every filter optional, unknown parameters refused. */
export const productListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      minLength: 1,
      maxLength: LL.qMax,
      description:
        'name or SKU contains this text, case-insensitive (% and _ are literal); 3 characters or ' +
        'more use the trigram indexes',
    },
    status: {
      type: 'string',
      enum: ['draft', 'published', 'archived', 'deleted'],
      description: 'exactly this status; without it, every status but deleted',
    },
    categoryId: {
      type: 'string',
      format: 'uuid',
      description: 'filed directly under this category (descendants not included)',
    },
    brand: { type: 'string', minLength: 1, maxLength: L.brandMax, description: 'exact brand' },
    sku: {
      type: 'string',
      pattern: L.skuPattern,
      description: "exact SKU: the product's own or one of its variants'",
    },
    updatedAfter: {
      type: 'string',
      format: 'date-time',
      description: 'changed strictly after this instant',
    },
    size: { type: 'integer', minimum: 1, maximum: LL.sizeMax, default: LL.sizeDefault },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'nextCursor of the previous page (opaque)',
    },
  },
} as const;

const listItem = {
  type: 'object',
  required: [
    'id',
    'sku',
    'name',
    'brand',
    'status',
    'version',
    'price',
    'available',
    'variantCount',
    'updatedAt',
  ],
  properties: {
    id: { type: 'string' },
    sku: { type: 'string' },
    name: { type: 'string' },
    brand: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['draft', 'published', 'archived', 'deleted'] },
    version: { type: 'integer' },
    price: {
      anyOf: [money, { type: 'null' }],
      description: "the product's price; for a product with variants, its lowest variant price",
    },
    available: {
      type: 'integer',
      description: 'stock on hand over every warehouse (and every variant)',
    },
    variantCount: { type: 'integer', description: 'how many variants; 0 for a single SKU' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const productListResponse = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: listItem,
      description: 'newest change first (updatedAt, then id, descending)',
    },
    nextCursor: {
      type: ['string', 'null'],
      description: 'pass as cursor for the next page; null on the last page',
    },
  },
} as const;
