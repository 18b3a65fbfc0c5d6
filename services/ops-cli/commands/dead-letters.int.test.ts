import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { Registry } from 'prom-client';
import t from 'tap';
import type { ProductEvent, ProductSnapshot } from '../../../shared/events/catalog-events.js';
import { projectionJobOptions } from '../../../shared/events/jobs.js';
import { projectionNames } from '../../../shared/events/queues.js';
import { startProjectionWorker } from '../../../shared/projection/worker.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { silentLogger } from '../../../test/support/logger.js';
import { waitFor } from '../../../test/support/wait.js';
import { memoryOutput } from '../../../shared/cli/output.js';
import { listDeadLetters, parseDeadLettersArgs, replayDeadLetters } from './dead-letters.js';

function priceEvent(productId: string, version: number): ProductEvent {
  return {
    aggregate: 'product',
    eventId: randomUUID(),
    type: 'ProductPriceChanged',
    productId,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: null,
    snapshot: { id: productId, version } as ProductSnapshot,
    changes: { fields: ['price'] },
  };
}

t.test('arguments', async (t) => {
  t.match(parseDeadLettersArgs(['list']), { action: 'list', limit: 50 });
  t.same(parseDeadLettersArgs(['list', '--projection', 'detail', '--limit', '5']), {
    action: 'list',
    projections: ['detail'],
    limit: 5,
    json: false,
  });
  t.same(parseDeadLettersArgs(['replay', '--id', 'abc']), {
    action: 'replay',
    projections: projectionNames,
    target: { id: 'abc' },
  });
  t.match(parseDeadLettersArgs(['replay', '--all', '--projection', 'search']), {
    target: 'all',
    projections: ['search'],
  });
  t.throws(() => parseDeadLettersArgs([]), /usage/);
  t.throws(() => parseDeadLettersArgs(['replay']), /usage/, 'replay needs --id or --all');
  t.throws(() => parseDeadLettersArgs(['replay', '--all', '--id', 'x']), /usage/);
  t.throws(() => parseDeadLettersArgs(['list', '--projection', 'usage']), /unknown projection/);
  t.throws(() => parseDeadLettersArgs(['list', '--limit', '0']), /--limit/);
});

t.test('A poison job is dead-lettered without blocking, listed, and replayed', async (t) => {
  const config = isolatedConfig(t);
  const queues = openQueues(config.redisUrl, config.redisKeyPrefix, projectionNames);
  t.teardown(() => queues.close());
  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  const search = queues.client.search;
  if (search === undefined) throw new Error('no search queue');

  const poison = priceEvent(randomUUID(), 2);
  const flaky = priceEvent(randomUUID(), 4);
  const healthy = [priceEvent(randomUUID(), 1), priceEvent(randomUUID(), 1)];
  // poison first: with one job at a time, the others must still get through after it
  await search.addBulk(
    [poison, flaky, ...healthy].map((event) => ({
      name: event.type,
      data: event,
      opts: projectionJobOptions(event.eventId, event === flaky ? 2 : 5),
    })),
  );

  const failing = new Set([poison.eventId, flaky.eventId]);
  const applied: string[] = [];
  const worker = startProjectionWorker({
    projection: 'search',
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    concurrency: 1,
    apply: async (event) => {
      if (event.eventId === poison.eventId && failing.has(event.eventId))
        throw new UnrecoverableError('search refused the document: 400 mapper_parsing_exception');
      if (failing.has(event.eventId)) throw new Error('search is away\n  at line 2');
      applied.push(event.eventId);
    },
    registry: new Registry(),
    logger: silentLogger,
    redis: redis.client,
  });
  t.teardown(() => worker.close());

  await waitFor('two dead letters and two completed jobs', async () => {
    const counts = await search.getJobCounts('failed', 'completed');
    return counts.failed === 2 && counts.completed === 2 ? true : undefined;
  });
  t.same(applied.sort(), healthy.map((e) => e.eventId).sort(), 'the poison job blocked nothing');

  const out = memoryOutput();
  const list = await listDeadLetters(
    queues.client,
    { projections: projectionNames, limit: 10 },
    out,
  );
  const listed = list.projections.find((p) => p.projection === 'search');
  t.equal(listed?.failed, 2);
  t.same(
    list.projections.filter((p) => p.projection !== 'search').map((p) => p.failed),
    [0, 0],
  );
  const dead = (id: string) => listed?.jobs.find((j) => j.jobId === id);
  t.match(dead(poison.eventId), {
    projection: 'search',
    eventType: 'ProductPriceChanged',
    aggregateId: poison.productId,
    version: 2,
    attemptsMade: 1,
    failedReason: 'search refused the document: 400 mapper_parsing_exception',
    failedAt: /^\d{4}-\d\d-\d\dT/,
  });
  t.match(dead(flaky.eventId), { attemptsMade: 2, failedReason: /search is away/ });
  const text = out.text();
  t.match(text, /^search: 2 dead-lettered$/m);
  t.match(text, /^detail: 0 dead-lettered$/m);
  t.match(
    text,
    new RegExp(`${poison.eventId}\\s+ProductPriceChanged\\s+${poison.productId}\\s+2\\s+1\\s`),
  );
  t.match(text, /400 mapper_parsing_exception/);
  t.match(text, /search is away at line 2/, 'reasons are printed on one line');

  const limited = await listDeadLetters(
    queues.client,
    { projections: ['search'], limit: 1 },
    memoryOutput(),
  );
  t.equal(limited.projections[0]?.jobs.length, 1, '--limit bounds the jobs shown, not the count');
  t.equal(limited.projections[0]?.failed, 2);

  // the cause is fixed: replay the poison job by id, then everything else
  failing.clear();
  const one = memoryOutput();
  const byId = await replayDeadLetters(
    queues.client,
    { projections: projectionNames, target: { id: poison.eventId } },
    one,
  );
  t.equal(byId.total, 1);
  t.match(one.text(), /^search: replayed job /m);
  t.match(one.text(), /^detail: job \S+ not replayed \(no such job\)$/m);
  await waitFor('the replayed poison job to complete', async () =>
    (await search.getJobState(poison.eventId)) === 'completed' ? true : undefined,
  );

  const all = memoryOutput();
  const replayedAll = await replayDeadLetters(
    queues.client,
    { projections: ['search'], target: 'all' },
    all,
  );
  t.same(replayedAll, { replayed: { search: 1 }, total: 1 });
  t.match(all.text(), /^search: replayed 1 of 1 dead letters$/m);
  await waitFor('the replayed flaky job to complete', async () =>
    (await search.getJobState(flaky.eventId)) === 'completed' ? true : undefined,
  );
  t.equal(applied.length, 4, 'every job was applied');

  const again = memoryOutput();
  const completed = await replayDeadLetters(
    queues.client,
    { projections: ['search'], target: { id: poison.eventId } },
    again,
  );
  t.equal(completed.total, 0, 'a completed job is not replayed');
  t.match(again.text(), /not replayed \(it is completed, not failed\)/);

  const after = await listDeadLetters(
    queues.client,
    { projections: ['search'], limit: 10, json: true },
    memoryOutput(),
  );
  t.same(after, { projections: [{ projection: 'search', failed: 0, jobs: [] }] });
});
