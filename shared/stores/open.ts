import type { Config } from '../config/index.js';
import { openClickHouse } from './clickhouse.js';
import { openPostgres } from './postgres.js';

/** Store handles built from config, in one place so services and the CLI open them alike. */
export function postgresFromConfig(config: Config, applicationName: string) {
  return openPostgres({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    poolMax: config.databasePoolMax,
    applicationName,
  });
}

export function clickhouseOptions(config: Config) {
  return {
    url: config.clickhouseUrl,
    username: config.clickhouseUser,
    password: config.clickhousePassword,
    database: config.clickhouseDatabase,
  };
}

export function clickhouseFromConfig(config: Config) {
  return openClickHouse(clickhouseOptions(config));
}
