/**
 * Merchandising propagation: the time from an admin change of the synonym set or of a query rule
 * (the PUT/POST sent) until every catalog-read instance answers searches with it, through the
 * real services as child processes (catalog-write, relay, projectors, N catalog-read). Changes
 * go one at a time, alternating a synonym set and a pin rule; each is polled on every instance.
 *
 *   npm run bench:merchandising                       # 100 changes, 2 catalog-read instances
 *   npm run bench:merchandising -- --changes 20       # a quick look
 *   npm run bench:merchandising -- --instances 3
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HttpClient } from './lib/http-client.js';
import { interruptible } from './lib/interrupt.js';
import { positiveInt } from './lib/options.js';
import { startPipeline, type Pipeline } from './lib/pipeline.js';
import { machineInfo, writeResults } from './lib/report.js';
import { summarize, type LatencySummary } from './lib/stats.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[merchandising] ${line}\n`);
/** How often each instance is asked while a change is awaited. */
const POLL_MS = 5;
/** A change not visible everywhere within this is a failure of the run, not a slow sample. */
const DEADLINE_MS = 30_000;

interface Clients {
  readonly write: HttpClient;
  readonly reads: readonly HttpClient[];
}

interface SearchAnswer {
  total: number;
  appliedRules: { id: string }[];
}

async function json<T>(
  client: HttpClient,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<T> {
  const reply = await client.send({ method, path, ...(body === undefined ? {} : { body }) });
  if (reply.status < 200 || reply.status > 299) {
    throw new Error(`${method} ${path}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
  }
  return JSON.parse(reply.body) as T;
}

/** Resolves with the ms from `started` until every instance answers `path` so that `holds`. */
async function visibleEverywhere(
  reads: readonly HttpClient[],
  path: string,
  holds: (answer: SearchAnswer) => boolean,
  started: number,
): Promise<number> {
  await Promise.all(
    reads.map(async (read) => {
      for (;;) {
        const reply = await read.send({ method: 'GET', path });
        if (reply.status === 200 && holds(JSON.parse(reply.body) as SearchAnswer)) return;
        if (performance.now() - started > DEADLINE_MS) {
          throw new Error(`${path} did not show the change within ${DEADLINE_MS} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }),
  );
  return performance.now() - started;
}

async function createAnchor(clients: Clients): Promise<string> {
  const { id } = await json<{ id: string }>(clients.write, 'POST', '/admin/v1/products', {
    sku: `BM-${Date.now().toString(36)}`,
    name: 'Anchor storm lantern',
    description: 'The product every change points at.',
    brand: 'Glow',
    price: { amountMinor: 1999, currency: 'EUR' },
    status: 'published',
  });
  await visibleEverywhere(
    clients.reads,
    '/v1/search?q=lantern',
    (a) => a.total >= 1,
    performance.now(),
  );
  return id;
}

/** Change i: even ones replace the synonym set, odd ones add a pin rule for a new word. */
async function change(
  clients: Clients,
  i: number,
  anchor: string,
): Promise<{ kind: string; ms: number }> {
  const word = `zq${i.toString(36)}x`;
  const started = performance.now();
  if (i % 2 === 0) {
    await json(clients.write, 'PUT', '/admin/v1/search/synonyms', {
      lines: [`${word} => lantern`],
    });
    const ms = await visibleEverywhere(
      clients.reads,
      `/v1/search?q=${word}`,
      (a) => a.total >= 1,
      started,
    );
    return { kind: 'synonyms', ms };
  }
  const { id } = await json<{ id: string }>(clients.write, 'POST', '/admin/v1/search/rules', {
    query: word,
    match: 'exact',
    pin: [anchor],
  });
  const ms = await visibleEverywhere(
    clients.reads,
    `/v1/search?q=${word}`,
    (a) => a.appliedRules.some((r) => r.id === id),
    started,
  );
  return { kind: 'rule', ms };
}

const row = (name: string, s: LatencySummary) =>
  `${name.padEnd(10)} ${String(s.count).padStart(5)} ${s.p50.toFixed(0).padStart(7)} ${s.p90.toFixed(0).padStart(7)} ${s.p99.toFixed(0).padStart(7)} ${s.max.toFixed(0).padStart(7)}`;

async function measure(pipeline: Pipeline, changes: number, signal: AbortSignal) {
  const clients: Clients = {
    write: new HttpClient(pipeline.writeOrigin, pipeline.token, 1),
    reads: pipeline.readOrigins.map((origin) => new HttpClient(origin, pipeline.token, 1)),
  };
  try {
    const anchor = await createAnchor(clients);
    const samples: { kind: string; ms: number }[] = [];
    for (let i = 0; i < changes && !signal.aborted; i++) {
      samples.push(await change(clients, i, anchor));
      if ((i + 1) % 10 === 0 || i + 1 === changes) {
        const last = samples.slice(-10).map((s) => s.ms);
        log(`${i + 1}/${changes} changes; last 10: p50 ${summarize(last).p50.toFixed(0)} ms`);
      }
    }
    return samples;
  } finally {
    clients.write.close();
    for (const read of clients.reads) read.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      changes: { type: 'string', default: '100' },
      instances: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run bench:merchandising -- [--changes 100] [--instances 2]\n');
    return;
  }
  const changes = positiveInt(values.changes, '--changes', 10_000);
  const instances = positiveInt(values.instances, '--instances', 8);
  const signal = interruptible(log, 'services are killed, the bench_merch_* namespaces stay');
  const startedAt = new Date();
  log(`${changes} changes, ${instances} catalog-read instances, polled every ${POLL_MS} ms`);
  const pipeline = await startPipeline(log, {
    readSide: true,
    readInstances: instances,
    namespacePrefix: 'bench_merch',
  });
  let samples: { kind: string; ms: number }[] = [];
  try {
    samples = await measure(pipeline, changes, signal);
  } finally {
    await pipeline.stopServices();
    const failed = await pipeline.dropNamespaces();
    if (failed.length > 0) log(`WARNING cleanup failed: ${failed.join('; ')}`);
    await pipeline.close();
  }
  const summaries = {
    all: summarize(samples.map((s) => s.ms)),
    synonyms: summarize(samples.filter((s) => s.kind === 'synonyms').map((s) => s.ms)),
    rule: summarize(samples.filter((s) => s.kind === 'rule').map((s) => s.ms)),
  };
  process.stdout.write(
    [
      `change → visible on all ${instances} catalog-read instances (ms, from sending the admin request)`,
      'change     count     p50     p90     p99     max',
      ...Object.entries(summaries).map(([name, s]) => row(name, s)),
      '',
    ].join('\n'),
  );
  const file = await writeResults(
    resultsDir,
    startedAt,
    { machine: machineInfo(undefined), changes, instances, pollMs: POLL_MS, summaries, samples },
    'merchandising',
  );
  log(`results written to ${file}`);
}

await main();
