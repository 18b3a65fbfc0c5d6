import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildCatalogWriteApp } from '../../services/catalog-write/app.js';
import type { Config } from '../../shared/config/index.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { postgresFromConfig } from '../../shared/stores/open.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { isolatedConfig, type Teardowns } from './isolation.js';
import { silentLogger } from './logger.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0001';

export interface WriteHarness {
  readonly app: FastifyInstance;
  readonly pool: Pool;
  readonly config: Config;
  /** inject() with the admin bearer token. */
  admin(options: InjectOptions): Promise<LightMyRequestResponse>;
  outboxEvents(
    aggregateId?: string,
  ): Promise<{ event_type: string; aggregate_version: string; payload: Record<string, unknown> }[]>;
}

/**
 * A catalog-write app on its own migrated Postgres schema, closed at teardown. Pass overrides for
 * a fresh isolated config, or a config shared with other apps of the same test.
 */
export async function writeHarness(
  t: Teardowns,
  overrides: Record<string, string> | Config = {},
): Promise<WriteHarness> {
  const config = isConfig(overrides) ? overrides : isolatedConfig(t, overrides);
  const postgres = postgresFromConfig(config, 'test');
  await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
  const app = await buildCatalogWriteApp({ config, logger: silentLogger, postgres });
  t.teardown(() => app.close());
  const pool = postgres.client;
  return {
    app,
    pool,
    config,
    admin: (options) =>
      app.inject({
        ...options,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...options.headers },
      }),
    outboxEvents: async (aggregateId) => {
      const { rows } = await pool.query<{
        event_type: string;
        aggregate_version: string;
        payload: Record<string, unknown>;
      }>(
        `SELECT event_type, aggregate_version, payload FROM outbox
          WHERE $1::uuid IS NULL OR aggregate_id = $1 ORDER BY id`,
        [aggregateId ?? null],
      );
      return rows;
    },
  };
}

function isConfig(value: Record<string, string> | Config): value is Config {
  return 'databaseSchema' in value && typeof value.databasePoolMax === 'number';
}

export const sampleProduct = (overrides: Record<string, unknown> = {}) => ({
  sku: `SKU-${Math.random().toString(36).slice(2, 10)}`,
  name: 'Trail running shoe',
  description: 'Light shoe with a grippy sole.',
  brand: 'Stride',
  attributes: { color: 'blue', size: ['42', '43'], weight_g: 280 },
  images: ['https://cdn.example.com/shoe.jpg'],
  ...overrides,
});
