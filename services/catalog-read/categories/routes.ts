import type { FastifyInstance } from 'fastify';
import { withProblems } from '../../../shared/http/error-schemas.js';
import type { CatalogReadContext } from '../context.js';
import type { CategoryNode } from '../../../shared/read-models/detail/category-tree.js';

interface CountedNode {
  id: string;
  slug: string;
  name: string;
  productCount: number;
  children: CountedNode[];
}

const categoryNodeSchema = {
  $id: 'CategoryNode',
  type: 'object',
  required: ['id', 'slug', 'name', 'productCount', 'children'],
  properties: {
    id: { type: 'string' },
    slug: { type: 'string' },
    name: { type: 'string' },
    productCount: { type: 'integer', description: 'published products in this category and below' },
    children: { type: 'array', items: { $ref: 'CategoryNode#' } },
  },
} as const;

/** Published products per category id, from one terms aggregation over the search index. */
async function countsByCategory(
  context: CatalogReadContext,
  categories: number,
): Promise<Map<string, number>> {
  const response = await context.search.search(context.alias, {
    size: 0,
    query: { bool: { filter: [{ term: { visible: true } }] } },
    aggs: { byCategory: { terms: { field: 'categoryId', size: Math.max(categories, 1) } } },
  });
  const buckets = (
    response.aggregations?.['byCategory'] as
      { buckets?: { key: string; doc_count: number }[] } | undefined
  )?.buckets;
  return new Map((buckets ?? []).map((b) => [b.key, b.doc_count]));
}

/** A category counts its own products and its descendants'. */
export function withCounts(node: CategoryNode, own: ReadonlyMap<string, number>): CountedNode {
  const children = node.children.map((child) => withCounts(child, own));
  const productCount =
    (own.get(node.id) ?? 0) + children.reduce((sum, c) => sum + c.productCount, 0);
  return { id: node.id, slug: node.slug, name: node.name, productCount, children };
}

export function categoryRoutes(app: FastifyInstance, context: CatalogReadContext): void {
  app.addSchema(categoryNodeSchema);
  app.get(
    '/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'The category tree with published product counts',
        response: withProblems({
          200: {
            type: 'object',
            required: ['categories'],
            properties: { categories: { type: 'array', items: { $ref: 'CategoryNode#' } } },
          },
        }),
      },
    },
    async (_request, reply) => {
      const tree = await context.categoryTrees.tree();
      const counts = await countsByCategory(context, tree.size);
      void reply.header('cache-control', `public, max-age=${context.config.detailCacheSeconds}`);
      return { categories: tree.roots.map((root) => withCounts(root, counts)) };
    },
  );
}
