/**
 * The operator's command line: `npm run aisle -- <command>` (or `node dist/services/ops-cli/main.js`).
 * Later issues add import, rebuild, verify, status, dead letters and seed here.
 */
import { ConfigError, configTable, loadConfig, type Config } from '../../shared/config/index.js';
import { bootstrapClickHouse } from '../../shared/stores/clickhouse.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { clickhouseOptions, postgresFromConfig } from '../../shared/stores/open.js';
import { bootstrapSearch } from '../../shared/stores/search/bootstrap.js';
import { openSearch } from '../../shared/stores/search/open.js';

type Command = (config: Config) => Promise<void>;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

const commands: Record<string, { help: string; run: Command }> = {
  migrate: {
    help: 'apply pending Postgres migrations',
    run: async (config) => {
      const postgres = postgresFromConfig(config, 'aisle-cli');
      try {
        const report = await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
        say(
          `postgres: ${report.applied.length} applied${report.applied.length ? ` (${report.applied.join(', ')})` : ''}, ${report.alreadyApplied} already applied`,
        );
      } finally {
        await postgres.close();
      }
    },
  },
  bootstrap: {
    help: 'create the search index template + alias and the ClickHouse tables',
    run: async (config) => {
      const search = openSearch(config);
      try {
        const report = await bootstrapSearch(search.client, config.searchIndexPrefix);
        say(
          `search: alias ${report.alias} -> ${report.index}${report.created ? ' (created)' : ''}`,
        );
      } finally {
        await search.close();
      }
      const { applied } = await bootstrapClickHouse(clickhouseOptions(config));
      say(
        `clickhouse: ${applied.length} schema files applied${applied.length ? ` (${applied.join(', ')})` : ''}`,
      );
    },
  },
  config: {
    help: 'print every configuration variable with its default (markdown)',
    run: () => {
      say(configTable());
      return Promise.resolve();
    },
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`);
  return `usage: aisle <command>\n\ncommands:\n${lines.join('\n')}\n`;
}

const name = process.argv[2];
const command = name === undefined ? undefined : commands[name];
if (command === undefined) {
  process.stderr.write(usage());
  process.exit(name === undefined || name === 'help' || name === '--help' ? 0 : 2);
}
try {
  await command.run(loadConfig(process.env));
} catch (error) {
  const message =
    error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`aisle ${name}: ${message}\n`);
  process.exit(1);
}
