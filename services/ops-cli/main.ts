/**
 * The operator's command line: `npm run aisle -- <command>` (or `node dist/services/ops-cli/main.js`).
 * Later issues add import, rebuild, verify, status, dead letters and seed here.
 */
import {
  ConfigError,
  configTable,
  isServiceName,
  loadConfig,
  serviceNames,
  servicePort,
  type Config,
} from '../../shared/config/index.js';
import { bootstrapClickHouse } from '../../shared/stores/clickhouse.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { clickhouseOptions, postgresFromConfig } from '../../shared/stores/open.js';
import { bootstrapSearch } from '../../shared/stores/search/bootstrap.js';
import { openSearch } from '../../shared/stores/search/open.js';

type Command = (config: Config, args: readonly string[]) => Promise<void>;

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
  health: {
    help: 'health <service>: exit 0 when the service answers /health/ready with 200 (container healthchecks)',
    run: async (config, [service = '']) => {
      if (!isServiceName(service)) {
        throw new Error(`unknown service "${service}"; one of: ${serviceNames.join(', ')}`);
      }
      const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      const url = `http://${host}:${servicePort(config, service)}/health/ready`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      say(`${service}: ${response.status} ${await response.text()}`);
      if (response.status !== 200) process.exitCode = 1;
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
  await command.run(loadConfig(process.env), process.argv.slice(3));
} catch (error) {
  const message =
    error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`aisle ${name}: ${message}\n`);
  process.exit(1);
}
