import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CategorySnapshot } from '../../../shared/events/catalog-events.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import { answerCommand } from '../commands/respond.js';
import { etagOf, refuseConditionalCreate } from '../http.js';
import {
  conditionalHeaders,
  errorResponses,
  idParams,
  versionResponse,
} from '../../../shared/write-model/products/schemas.js';
import {
  listCategories,
  readCategory,
  runCategoryCommand,
} from '../../../shared/write-model/categories/commands.js';
import type {
  CategoryFields,
  CategoryPatch,
} from '../../../shared/write-model/categories/decide.js';
import { categoryListResponse, categoryResponse, fields } from './schemas.js';

const tags = ['categories'];
const security = [{ bearer: [] }];
const answer = answerCommand<CategorySnapshot>;

/**
 * The category tree of the admin API: create, rename, move (no cycles, unique sibling slugs),
 * delete an empty category, and list the tree (strongly consistent, from Postgres).
 */
export function categoryRoutes(app: FastifyInstance, opts: { pool: Pool }): void {
  const { pool } = opts;

  app.post<{ Body: CategoryFields & { id?: string } }>(
    '/categories',
    {
      schema: {
        tags,
        security,
        summary: 'Create a category (a root unless parentId is given)',
        headers: conditionalHeaders,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['slug', 'name'],
          properties: { id: { type: 'string', format: 'uuid' }, ...fields },
        },
        response: { 201: versionResponse, ...errorResponses },
      },
      preHandler: refuseConditionalCreate,
    },
    (request, reply) => {
      const { id = randomUUID(), ...rest } = request.body;
      return answer(
        request,
        reply,
        (c) => runCategoryCommand(pool, id, { type: 'CreateCategory', id, fields: rest }, c),
        (category) => ({
          status: 201,
          body: { id: category.id, version: category.version },
          headers: { location: `/admin/v1/categories/${category.id}` },
        }),
      );
    },
  );

  app.patch<{ Params: { id: string }; Body: CategoryPatch }>(
    '/categories/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Rename or move a category',
        params: idParams,
        headers: conditionalHeaders,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: fields },
        response: { 200: versionResponse, ...errorResponses },
      },
    },
    (request, reply) =>
      answer(
        request,
        reply,
        (c) =>
          runCategoryCommand(
            pool,
            request.params.id,
            { type: 'ChangeCategory', patch: request.body },
            c,
          ),
        (category) => ({ status: 200, body: { id: category.id, version: category.version } }),
      ),
  );

  app.get<{ Params: { id: string } }>(
    '/categories/:id',
    {
      schema: {
        tags,
        security,
        summary: 'The category as stored',
        params: idParams,
        response: { 200: categoryResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const category = await readCategory(pool, request.params.id);
      void reply.header('etag', etagOf(category.version));
      return category;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/categories/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a category that has no live child category and no live product',
        description:
          'The delete is committed with a CategoryDeleted event and leaves the storefront tree ' +
          'like any change. 409 category_not_empty names what the category still holds.',
        params: idParams,
        headers: conditionalHeaders,
        response: { 200: versionResponse, ...errorResponses },
      },
      config: { idempotencyKeyed: true },
    },
    (request, reply) =>
      answer(
        request,
        reply,
        (c) => runCategoryCommand(pool, request.params.id, { type: 'DeleteCategory' }, c),
        (category) => ({ status: 200, body: { id: category.id, version: category.version } }),
      ),
  );

  app.get(
    '/categories',
    {
      schema: {
        tags,
        security,
        summary: 'Every live category as stored: a flat list, parents before children',
        response: { 200: categoryListResponse, ...errorResponses },
      },
    },
    async () => ({ categories: await listCategories(pool) }),
  );
}
