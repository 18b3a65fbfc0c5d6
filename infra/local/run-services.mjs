// Runs Aisle services as child processes of one terminal: prefixed output, a readiness summary,
// and Ctrl-C (or SIGTERM) stopping every service gracefully. Used by `npm start`.
//
//   node infra/local/run-services.mjs [service ...]     (default: all)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
// The service list and their ports come from the built config module, so they cannot drift.
const { loadConfig, serviceNames, servicePort } = await import(
  join(root, 'dist', 'shared', 'config', 'index.js')
);
const config = loadConfig(env);
const services = serviceNames.map((name) => [name, servicePort(config, name)]);
const host = env.HOST === undefined || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
const readyTimeoutMs = Number(env.READY_TIMEOUT_MS ?? 90_000);

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !services.some(([s]) => s === name));
if (unknown.length > 0) {
  console.error(
    `unknown service(s): ${unknown.join(', ')}; known: ${services.map(([s]) => s).join(', ')}`,
  );
  process.exit(2);
}
const selected = services.filter(([name]) => wanted.length === 0 || wanted.includes(name));
const width = Math.max(...selected.map(([name]) => name.length));
const children = new Map();
let stopping = false;

function prefixLines(name, stream, sink) {
  let pending = '';
  stream.on('data', (chunk) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) sink.write(`${name.padEnd(width)} | ${line}\n`);
  });
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.error(`\nstopping ${children.size} service(s)…`);
  for (const child of children.values()) child.kill('SIGTERM');
  const exitWhenDone = setInterval(() => {
    if (children.size === 0) {
      clearInterval(exitWhenDone);
      process.exit(code);
    }
  }, 100);
}

for (const [name] of selected) {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(root, 'dist', 'services', name, 'main.js')],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C reaches only this launcher, which then sends each
      // service exactly one SIGTERM (a second signal means "exit now" to a service).
      detached: true,
    },
  );
  children.set(name, child);
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(
        `${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the others`,
      );
      stopAll(1);
    }
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
process.on('SIGHUP', () => stopAll(0));
// If the launcher itself dies, its detached children must not outlive it.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
});

async function ready(port) {
  try {
    const response = await fetch(`http://${host}:${port}/health/ready`, {
      signal: AbortSignal.timeout(3000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

const started = Date.now();
const pending = new Set(selected.map(([name]) => name));
while (pending.size > 0 && !stopping) {
  if (Date.now() - started > readyTimeoutMs) {
    console.error(
      `not ready after ${readyTimeoutMs / 1000}s: ${[...pending].join(', ')} (see their logs above, and GET /health/ready)`,
    );
    stopAll(1);
    break;
  }
  for (const [name, port] of selected) {
    if (pending.has(name) && (await ready(port))) pending.delete(name);
  }
  if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 250));
}
if (!stopping) {
  const rows = selected.map(
    ([name, port]) => `  ${name.padEnd(width)}  http://${host}:${port}  ready`,
  );
  console.error(
    `\nAisle is up in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${rows.join('\n')}\nCtrl-C stops everything.\n`,
  );
}
