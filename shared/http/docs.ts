import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** OpenAPI generated from the route schemas that also validate and serialize. */
export const docsPlugin = fp(
  async (app: FastifyInstance, opts: { title: string; description: string; version: string }) => {
    await app.register(swagger, {
      openapi: {
        // 3.1: its Schema Objects are JSON Schema 2020-12, so the schemas that validate requests
        // (propertyNames, const, type: [..., 'null']) are published as they are; 3.0 refuses them.
        openapi: '3.1.0',
        info: { title: opts.title, description: opts.description, version: opts.version },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
      },
      refResolver: {
        // Shared schemas are named by their $id ('Problem'), not by the order they were added in
        // (def-0), so generated clients keep their type names as routes are added.
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'aisle-docs' },
);
