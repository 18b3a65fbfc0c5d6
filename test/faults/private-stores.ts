import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../shared/paths.js';
import type { StoreName } from './pipeline-processes.js';

/** The project's script that starts and stops each store (infra/local/<script>.sh). */
const scripts: Record<StoreName, string> = {
  search: 'opensearch',
  clickhouse: 'clickhouse',
  redis: 'redis',
  postgres: 'postgres',
};

/** The store URL variables the campaign's services, observers and checks read. */
const urlVars: Record<StoreName, string> = {
  search: 'SEARCH_URL',
  clickhouse: 'CLICKHOUSE_URL',
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
};

/** A private node's heap: enough for the campaign's one small index, half the shared node's. */
const OPENSEARCH_HEAP = '512m';

export interface PrivateStores {
  /** The private stores' URLs, as environment overrides (SEARCH_URL, REDIS_URL, ...). */
  readonly urls: Record<string, string>;
  readonly stores: readonly StoreName[];
  /** Where their state lives (one sub-dir per store); gone after `remove`. */
  readonly stateDir: string;
  /** `infra/local/<store>.sh up` on the private instance; resolves when it answers. */
  up(store: StoreName): Promise<number>;
  /** `infra/local/<store>.sh down`; resolves when the process is gone. Returns the ms it took. */
  down(store: StoreName): Promise<number>;
  /** Stops every private instance and removes their state. Safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * A free loopback port below the ephemeral range (32768+ here), so that no client socket takes it
 * as its local port while the store is down and keeps the store from listening on it again.
 */
async function privatePort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port found in 20000-31999');
}

function run(store: StoreName, action: 'up' | 'down', env: NodeJS.ProcessEnv): Promise<number> {
  const started = Date.now();
  const script = join(projectRoot, 'infra', 'local', `${scripts[store]}.sh`);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, action],
      { cwd: projectRoot, env, timeout: 300_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve(Date.now() - started);
        else {
          const output = `${stdout}${stderr}`.split('\n').slice(-30).join('\n');
          reject(new Error(`${scripts[store]}.sh ${action} failed (${error.message}):\n${output}`));
        }
      },
    );
  });
}

/**
 * Private instances of some stores for one campaign: processes of their own on free ports with
 * state dirs of their own under .local/fault-campaign/, started, stopped and restarted by the
 * project's own scripts (infra/local/*.sh) through their env overrides. The shared instances on
 * the default ports are never touched. `remove` (and, should the process be told to stop, an exit
 * hook) stops them and deletes their state, so a failed run leaves no process behind.
 */
export async function startPrivateStores(
  stores: readonly StoreName[],
  log: (line: string) => void,
): Promise<PrivateStores> {
  const parent = join(projectRoot, '.local', 'fault-campaign');
  const root = join(parent, randomBytes(4).toString('hex'));
  // The parent goes too unless another campaign's state is in it (rmdir refuses a non-empty dir).
  const removeState = () => {
    rmSync(root, { recursive: true, force: true });
    try {
      rmdirSync(parent);
    } catch {
      // not empty, or already gone
    }
  };
  const taken = new Set<number>();
  const envs = {} as Record<StoreName, NodeJS.ProcessEnv>;
  const urls: Record<string, string> = {};
  for (const store of stores) {
    const dir = join(root, store);
    const port = await privatePort(taken);
    const storeEnv: Record<string, string> =
      store === 'redis'
        ? { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_STATE_DIR: dir }
        : store === 'postgres'
          ? { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/aisle`, POSTGRES_STATE_DIR: dir }
          : store === 'clickhouse'
            ? {
                CLICKHOUSE_URL: `http://127.0.0.1:${port}`,
                CLICKHOUSE_TCP_PORT: String(await privatePort(taken)),
                CLICKHOUSE_STATE_DIR: dir,
              }
            : {
                SEARCH_URL: `http://127.0.0.1:${port}`,
                OPENSEARCH_TRANSPORT_PORT: String(await privatePort(taken)),
                OPENSEARCH_HEAP,
                OPENSEARCH_STATE_DIR: dir,
              };
    envs[store] = { ...process.env, ...storeEnv };
    urls[urlVars[store]] = storeEnv[urlVars[store]] as string;
  }

  let removed = false;
  // Last resort when the process is interrupted or exits without `remove`: the same scripts, run
  // synchronously, then the state dirs.
  const removeNow = () => {
    if (removed) return;
    removed = true;
    for (const store of stores) {
      const script = join(projectRoot, 'infra', 'local', `${scripts[store]}.sh`);
      spawnSync('bash', [script, 'down'], { env: envs[store], stdio: 'ignore', timeout: 60_000 });
    }
    removeState();
  };
  // Exiting runs the exit hooks: the campaign's services are killed first, then this. SIGALRM is
  // how tap ends a test process that ran out of time.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGALRM'] as const;
  const onSignal = (signal: NodeJS.Signals) =>
    process.exit(128 + (osConstants.signals[signal] ?? 0));
  process.once('exit', removeNow);
  for (const signal of signals) process.once(signal, onSignal);

  const handle: PrivateStores = {
    urls,
    stores,
    stateDir: root,
    up: async (store) => run(store, 'up', envs[store]),
    down: async (store) => run(store, 'down', envs[store]),
    remove: async () => {
      if (removed) return;
      const outcomes = await Promise.allSettled(stores.map((s) => run(s, 'down', envs[s])));
      // Asynchronous, on libuv's threads: a long run leaves ClickHouse some 240k part files, which
      // take minutes to delete. The exit hook stays until then, so an interrupt still finishes it.
      await rm(root, { recursive: true, force: true });
      removed = true;
      process.off('exit', removeNow);
      for (const signal of signals) process.off(signal, onSignal);
      removeState();
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      if (failures.length > 0) throw new Error(failures.join('\n'));
    },
  };
  try {
    log(`starting private ${stores.join(', ')} in ${root}`);
    // All at once: OpenSearch takes the longest (a JVM), the others start in a second or two.
    const took = await Promise.all(stores.map((s) => handle.up(s)));
    log(
      `  up in ${stores.map((s, i) => `${s} ${((took[i] ?? 0) / 1000).toFixed(1)} s`).join(', ')}`,
    );
  } catch (error) {
    await handle.remove().catch(() => undefined);
    throw error;
  }
  return handle;
}
