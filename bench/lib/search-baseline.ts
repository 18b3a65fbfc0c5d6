/**
 * The CRUD baseline of bench:search as a child process (`node --import tsx
 * bench/baseline/main.ts`), like catalog-read: its own event loop, the same log level, on the
 * pipeline's Postgres schema. It creates its column and indexes before it listens, which on a
 * large catalog takes minutes, hence the long readiness deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../shared/paths.js';
import { freePort } from '../../test/support/processes.js';
import { HttpClient } from './http-client.js';
import type { Pipeline } from './pipeline.js';

const KEPT_LINES = 50;
const READY_TIMEOUT_MS = 30 * 60_000;

export interface BaselineProcess {
  readonly origin: URL;
  readonly child: ChildProcess;
  /** Warn/error lines it wrote, for the report. */
  readonly lines: string[];
  /** Milliseconds from spawn to ready (index creation included). */
  readonly startMs: number;
  stop(): Promise<void>;
}

function collectLines(child: ChildProcess, lines: string[]): void {
  let partial = '';
  const collect = (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '' && lines.length < KEPT_LINES) lines.push(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
}

async function waitReady(
  origin: URL,
  child: ChildProcess,
  lines: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const client = new HttpClient(origin, 'none', 1);
  const started = Date.now();
  let reported = started;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the baseline exited during start-up:\n${lines.slice(-10).join('\n')}`);
      }
      const reply = await client.send({ method: 'GET', path: '/health/ready' });
      if (reply.status === 200) return;
      if (Date.now() - started > READY_TIMEOUT_MS) {
        throw new Error(`the baseline was not ready after ${READY_TIMEOUT_MS / 60_000} min`);
      }
      if (Date.now() - reported > 10_000) {
        reported = Date.now();
        log(
          `baseline: creating its column and indexes (${Math.round((reported - started) / 1000)} s)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    client.close();
  }
}

/** Starts the baseline on the pipeline's schema with `poolMax` Postgres connections. */
export async function startBaseline(
  pipeline: Pipeline,
  poolMax: number,
  log: (line: string) => void,
): Promise<BaselineProcess> {
  const port = await freePort();
  const env = {
    ...process.env,
    // As the pipeline's services run (bench/lib/pipeline.ts), so logging costs both sides alike.
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: pipeline.config.databaseUrl,
    DATABASE_SCHEMA: pipeline.namespaces.databaseSchema,
    DATABASE_POOL_MAX: String(poolMax),
    BASELINE_PORT: String(port),
  };
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'bench', 'baseline', 'main.ts')],
    { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.on('exit', kill);
  const lines: string[] = [];
  collectLines(child, lines);
  const origin = new URL(`http://127.0.0.1:${port}`);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, pipeline.config.shutdownTimeoutMs + 2000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', kill);
  };
  try {
    await waitReady(origin, child, lines, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, child, lines, startMs: Date.now() - started, stop };
}
