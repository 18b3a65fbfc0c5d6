import { runService } from '../../shared/lifecycle/run-service.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { postgresFromConfig } from '../../shared/stores/open.js';
import { buildCatalogWriteApp } from './app.js';

await runService({
  service: 'catalog-write',
  require: ['adminTokens'],
  build: async (config, logger) => {
    const postgres = postgresFromConfig(config, 'catalog-write');
    if (config.migrateOnStart) {
      const report = await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
      logger.info(report, 'postgres migrations checked');
    }
    return buildCatalogWriteApp({ config, logger, postgres });
  },
});
