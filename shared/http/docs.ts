import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** OpenAPI generated from the route schemas that also validate and serialize. */
export const docsPlugin = fp(
  async (app: FastifyInstance, opts: { title: string; description: string; version: string }) => {
    await app.register(swagger, {
      openapi: {
        info: { title: opts.title, description: opts.description, version: opts.version },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'aisle-docs' },
);
