/**
 * The CRUD baseline service: `node --import tsx bench/baseline/main.ts`. Reads DATABASE_URL,
 * DATABASE_SCHEMA, DATABASE_POOL_MAX, HOST and LOG_LEVEL as every Aisle service does, and
 * BASELINE_PORT (default 3020), and STORE_REQUEST_TIMEOUT_MS as catalog-read does (the request
 * path's deadline: past it a search is a 503 with Retry-After). Creates its column and indexes (schema.ts) before it listens,
 * so /health/ready answers only once search can use them.
 */
import { ConfigError, loadConfig, type Config } from '../../shared/config/index.js';
import { exitOnSignals } from '../../shared/lifecycle/shutdown.js';
import { createLogger } from '../../shared/logging/logger.js';
import { buildBaselineApp, openBaselinePool } from './app.js';
import { ensureBaselineSchema } from './schema.js';

const DEFAULT_PORT = 3020;

function port(raw: string | undefined): number {
  const value = Number(raw ?? DEFAULT_PORT);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new ConfigError([`BASELINE_PORT must be a port number (got ${raw ?? ''})`]);
  }
  return value;
}

let config: Config;
let listenPort: number;
try {
  config = loadConfig(process.env);
  listenPort = port(process.env['BASELINE_PORT']);
} catch (error) {
  process.stderr.write(`baseline-search: ${(error as Error).message}\n`);
  process.exit(78);
}
const logger = createLogger('baseline-search', config.logLevel);
try {
  const postgres = openBaselinePool({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    poolMax: config.databasePoolMax,
    deadlineMs: config.storeRequestTimeoutMs,
  });
  const report = await ensureBaselineSchema(postgres.client, config.databaseSchema);
  logger.info(report, 'search column and indexes in place');
  const app = await buildBaselineApp({
    logger,
    postgres,
    bodyLimitBytes: config.bodyLimitBytes,
    readinessTimeoutMs: config.readinessTimeoutMs,
  });
  exitOnSignals(logger, config.shutdownTimeoutMs, () => app.close());
  await app.listen({ host: config.host, port: listenPort });
} catch (error) {
  logger.fatal({ err: error }, 'failed to start');
  process.exit(1);
}
