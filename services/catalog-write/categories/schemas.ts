import { categoryLimits as L } from '../../../shared/write-model/categories/decide.js';

/** The writable fields of a category (create body; a patch takes any of them). */
export const fields = {
  slug: { type: 'string', minLength: 1, maxLength: L.slugMax, pattern: L.slugPattern },
  name: { type: 'string', minLength: 1, maxLength: L.nameMax },
  parentId: { type: ['string', 'null'], format: 'uuid' },
} as const;

const stored = {
  id: { type: 'string' },
  slug: { type: 'string' },
  name: { type: 'string' },
  parentId: { type: ['string', 'null'] },
  version: { type: 'integer' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

export const categoryResponse = {
  type: 'object',
  required: ['id', 'slug', 'name', 'parentId', 'version', 'createdAt', 'updatedAt'],
  properties: stored,
} as const;

/**
 * The admin tree listing is flat, with parentId and depth, in depth-first order (siblings by
 * name): each item is exactly the stored category (plus its depth), with the version an
 * If-Match needs, a client nests it by parentId in one pass, and a UI can indent by depth.
 */
export const categoryListResponse = {
  type: 'object',
  required: ['categories'],
  properties: {
    categories: {
      type: 'array',
      description: 'every live category; a parent always comes before its children',
      items: {
        type: 'object',
        required: ['id', 'slug', 'name', 'parentId', 'depth', 'version', 'createdAt', 'updatedAt'],
        properties: {
          ...stored,
          depth: { type: 'integer', minimum: 0, description: '0 for a root' },
        },
      },
    },
  },
} as const;
