import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { bearerAuthPlugin } from '../../shared/http/bearer-auth.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { categoryRoutes } from './categories/routes.js';
import { idempotencyPlugin } from './idempotency/plugin.js';
import { importRoutes } from './imports/routes.js';
import { merchandisingRoutes } from './merchandising/routes.js';
import { productRoutes } from './products/routes.js';

export interface CatalogWriteDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly postgres: StoreHandle<Pool>;
}

/** The admin write API: commands committed to Postgres together with their outbox events. */
export async function buildCatalogWriteApp(deps: CatalogWriteDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = await createServer({
    service: 'catalog-write',
    description: 'Admin commands on products, prices, stock, categories and search merchandising.',
    logger: deps.logger,
    bodyLimitBytes: config.bodyLimitBytes,
    readinessTimeoutMs: config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.postgres, decorator: 'pg' });
  const pool = deps.postgres.client;
  await app.register(
    async (admin) => {
      await admin.register(bearerAuthPlugin, {
        tokens: config.adminTokens ?? [],
        realm: 'aisle-admin',
      });
      await admin.register(idempotencyPlugin, { pool, ttlSeconds: config.idempotencyTtlSeconds });
      productRoutes(admin, { pool });
      categoryRoutes(admin, { pool });
      importRoutes(admin, { pool, config });
      merchandisingRoutes(admin, { pool });
    },
    { prefix: '/admin/v1' },
  );
  return app;
}
