/**
 * Between two cells of bench:search, the work the last one left behind must be gone: a search a
 * client gave up on still runs in its store until it ends or reaches its deadline, and a
 * baseline request still waiting for a pooled connection starts its statement later. Without
 * this wait, the next cell (the other side, as they alternate) would pay for it.
 */
import { performance } from 'node:perf_hooks';
import type { Pipeline } from './pipeline.js';

/** The application_name of the baseline's sessions on `schema` (bench/baseline/app.ts). */
export const baselineApplicationName = (schema: string): string => `baseline-search:${schema}`;

async function activeStatements(pipeline: Pipeline): Promise<number> {
  const { rows } = await pipeline.admin.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
    [baselineApplicationName(pipeline.namespaces.databaseSchema)],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Search tasks running in the engine on this run's indices. */
async function engineSearches(pipeline: Pipeline): Promise<number> {
  const { searchUrl, searchUsername, searchPassword } = pipeline.config;
  const headers: Record<string, string> =
    searchUsername === undefined
      ? {}
      : {
          authorization: `Basic ${Buffer.from(`${searchUsername}:${searchPassword ?? ''}`).toString('base64')}`,
        };
  const url = new URL('/_tasks?actions=indices:data/read/search*&detailed=true', searchUrl);
  const response = await fetch(url, { headers });
  if (!response.ok) return 0;
  const body = (await response.json()) as {
    nodes?: Record<string, { tasks?: Record<string, { description?: string }> }>;
  };
  const prefix = pipeline.namespaces.searchIndexPrefix;
  let n = 0;
  for (const node of Object.values(body.nodes ?? {})) {
    for (const task of Object.values(node.tasks ?? {})) {
      if (task.description?.includes(prefix) === true) n += 1;
    }
  }
  return n;
}

/** Waits until neither store runs this run's searches, or `maxMs`; the time it waited. */
export async function waitUntilDrained(pipeline: Pipeline, maxMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const [statements, searches] = await Promise.all([
      activeStatements(pipeline).catch(() => 0),
      engineSearches(pipeline).catch(() => 0),
    ]);
    const waited = performance.now() - started;
    if ((statements === 0 && searches === 0) || waited > maxMs) return waited;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
