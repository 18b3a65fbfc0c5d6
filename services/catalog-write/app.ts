import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';

export interface CatalogWriteDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly postgres: StoreHandle<Pool>;
}

/** The admin write API: commands committed to Postgres together with their outbox events. */
export async function buildCatalogWriteApp(deps: CatalogWriteDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'catalog-write',
    description: 'Admin commands on products, prices, stock and categories.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.postgres, decorator: 'pg' });
  return app;
}
