/**
 * The operator's command line: `npm run aisle -- <command>` (or `node dist/services/ops-cli/main.js`).
 * Later issues add rebuild, verify, status, dead letters and seed here.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  configTable,
  isServiceName,
  loadConfig,
  serviceNames,
  servicePort,
  type Config,
} from '../../shared/config/index.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { clickhouseOptions, postgresFromConfig } from '../../shared/stores/open.js';
import { bootstrapSearch } from '../../shared/read-models/search/index-setup.js';
import { openSearch } from '../../shared/stores/search/open.js';
import type { ImportView as ImportProgress } from '../../shared/write-model/imports/repository.js';
import { processOutput } from '../../shared/cli/output.js';
import { parseDeadLettersArgs, runDeadLetters } from './commands/dead-letters.js';
import { parseStatusArgs, runStatus } from './commands/status.js';
import { parseVerifyArgs, runVerify } from './commands/verify.js';
import { rebuildCommand } from './commands/rebuild.js';
import { seedCommand, seedHelp } from './commands/seed.js';
import { resetCommand, resetHelp } from './commands/reset.js';
import { bootstrapClickHouse } from '../../shared/read-models/analytics/tables.js';
import { bootstrapSynonyms } from '../../shared/write-model/merchandising/initial-synonyms.js';

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
    help: 'store the initial synonym set (once), create the search index template + alias and the ClickHouse tables',
    run: async (config) => {
      const postgres = postgresFromConfig(config, 'aisle-cli');
      try {
        const { set, created } = await bootstrapSynonyms(postgres.client);
        say(
          created
            ? `postgres: initial synonym set stored (version 1, ${set.lines.length} lines)`
            : `postgres: synonym set kept (version ${set.version})`,
        );
      } finally {
        await postgres.close();
      }
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
  import: {
    help: 'import <file.ndjson> [--url http://127.0.0.1:3001] [--timeout 3600]: stream products to the admin API and follow the import (token: first of ADMIN_TOKENS)',
    run: importFile,
  },
  rebuild: rebuildCommand,
  status: {
    help: 'status [--json]: per projection its queue, last applied event and lag; the outbox backlog',
    run: async (config, args) => {
      await runStatus(config, parseStatusArgs(args), processOutput());
    },
  },
  'dead-letters': {
    help: 'dead-letters list [--projection P] [--limit N] [--json] | replay [--projection P] (--id JOBID | --all)',
    run: (config, args) => runDeadLetters(config, parseDeadLettersArgs(args), processOutput()),
  },
  verify: {
    help: 'verify [--repair] [--projection P] [--json] [--page-size N]: compare every read model with the write model; exit 1 on drift',
    run: async (config, args) => {
      const report = await runVerify(config, parseVerifyArgs(args), processOutput());
      process.exitCode = report.drift ? 1 : 0;
    },
  },
  seed: { help: seedHelp, run: seedCommand },
  reset: { help: resetHelp, run: resetCommand },
  config: {
    help: 'print every configuration variable with its default (markdown)',
    run: () => {
      say(configTable());
      return Promise.resolve();
    },
  },
};

const count = (n: number): string => n.toLocaleString('en-US');
const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** One status line on stderr, redrawn in place on a terminal, every few seconds otherwise. */
function progressLine(): {
  show(fraction: number, text: string, force?: boolean): void;
  end(): void;
} {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    show(fraction, text, force = false) {
      const now = Date.now();
      if (!force && now - last < (tty ? 100 : 2_000)) return;
      last = now;
      const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * 30);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${text}`;
      process.stderr.write(tty ? `\r${bar}\x1b[K` : `${bar}\n`);
    },
    end: () => void (tty && process.stderr.write('\n')),
  };
}

/** POSTs a stream with a known length; the response is read even if the server stops reading. */
function upload(
  url: URL,
  token: string,
  body: Readable,
  length: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-ndjson',
          'content-length': String(length),
        },
      },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

function problemText(status: number, text: string): string {
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string };
    return `${status} ${problem.detail ?? problem.title ?? ''}`.trim();
  } catch {
    return `${status} ${text.slice(0, 200)}`.trim();
  }
}

/** The import's progress, or undefined when the server did not answer (the caller retries). */
async function fetchProgress(url: URL, token: string): Promise<ImportProgress | undefined> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return undefined;
  }
  if (res.status !== 200)
    throw new Error(`GET ${url.pathname}: ${problemText(res.status, await res.text())}`);
  return (await res.json()) as ImportProgress;
}

/** Polls until the import is done; the import runs on in the server whatever happens here. */
async function follow(
  url: URL,
  token: string,
  deadline: number,
  line: ReturnType<typeof progressLine>,
): Promise<ImportProgress> {
  let fraction = 0;
  for (;;) {
    const progress = await fetchProgress(url, token);
    if (progress === undefined) {
      line.show(fraction, 'the server does not answer; retrying', true);
    } else {
      fraction = progress.bytesTotal === 0 ? 1 : progress.bytesProcessed / progress.bytesTotal;
      line.show(
        fraction,
        `${count(progress.linesRead)} lines, ${count(progress.accepted)} accepted, ${count(progress.rejected)} rejected`,
        progress.done,
      );
      if (progress.done) return progress;
    }
    if (Date.now() > deadline)
      throw new Error(`not done by the deadline; follow it at ${url.href}`);
    await new Promise((resolve) => setTimeout(resolve, progress === undefined ? 1_000 : 500));
  }
}

async function importFile(config: Config, args: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { url: { type: 'string' }, timeout: { type: 'string', default: '3600' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: aisle import <file.ndjson> [--url URL]');
  const token = config.adminTokens?.[0];
  if (token === undefined) throw new Error('set ADMIN_TOKENS; its first token is used');
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const base = values.url ?? `http://${host}:${config.catalogWritePort}`;
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error('--timeout must be a number of seconds');
  const deadline = Date.now() + timeoutSeconds * 1000;
  const { size } = await stat(file);
  const started = Date.now();
  const line = progressLine();

  let importId: string;
  let progress: ImportProgress;
  let statusUrl: URL;
  try {
    const body = createReadStream(file);
    let sent = 0;
    body.on('data', (chunk) => {
      sent += chunk.length;
      line.show(size === 0 ? 1 : sent / size, `uploading ${megabytes(sent)} of ${megabytes(size)}`);
    });
    const answer = await upload(new URL('/admin/v1/imports', base), token, body, size);
    if (answer.status !== 202) {
      throw new Error(`the import was refused: ${problemText(answer.status, answer.text)}`);
    }
    line.show(1, `uploaded ${megabytes(size)}`, true);
    importId = (JSON.parse(answer.text) as { importId: string }).importId;
    statusUrl = new URL(`/admin/v1/imports/${importId}`, base);
    progress = await follow(statusUrl, token, deadline, line);
  } finally {
    line.end();
  }

  const seconds = (Date.now() - started) / 1000;
  say(`import ${importId}: ${progress.state}`);
  say(`  accepted  ${count(progress.accepted)}`);
  say(`  rejected  ${count(progress.rejected)}`);
  say(
    `  duration  ${seconds.toFixed(1)} s, ${count(Math.round(progress.linesRead / Math.max(seconds, 0.001)))} lines/s`,
  );
  if (progress.error !== undefined) say(`  error     ${progress.error}`);
  const shown = progress.rejections.slice(0, 10);
  if (shown.length > 0) {
    say('first rejections:');
    for (const r of shown) say(`  line ${r.line}: ${r.reason}`);
    if (progress.rejected > shown.length) say(`  … more at ${statusUrl.href}`);
  }
  if (progress.state === 'failed') process.exitCode = 1;
}

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
