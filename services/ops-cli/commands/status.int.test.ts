import t from 'tap';
import { projectionNames } from '../../../shared/events/queues.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { sampleProduct, writeHarness } from '../../../test/support/catalog-write.js';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { insertOutboxEvent } from '../../../test/support/outbox.js';
import { startPipeline } from '../../../test/support/pipeline.js';
import { waitFor } from '../../../test/support/wait.js';
import { memoryOutput } from '../../../shared/cli/output.js';
import {
  collectStatus,
  parseStatusArgs,
  printStatus,
  runStatus,
  type StatusReport,
} from './status.js';

t.test('arguments', async (t) => {
  t.same(parseStatusArgs([]), { json: false });
  t.same(parseStatusArgs(['--json']), { json: true });
  t.throws(() => parseStatusArgs(['--verbose']));
});

t.test('After one command every projection shows it applied and the outbox is empty', async (t) => {
  const p = await startPipeline(t);
  const queues = openQueues(p.config.redisUrl, p.config.redisKeyPrefix, projectionNames);
  t.teardown(() => queues.close());
  const stores = {
    pool: p.write.pool,
    redis: p.redis.client,
    queues: queues.client,
    redisKeyPrefix: p.config.redisKeyPrefix,
  };

  const created = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({ price: { amountMinor: 1500, currency: 'EUR' }, status: 'published' }),
  });
  t.equal(created.statusCode, 201);
  const [event] = await p.write.outboxEvents();
  const eventId = String(event?.payload.eventId);

  const report = await waitFor('every projection to apply the event', async () => {
    const status = await collectStatus(stores);
    const settled =
      status.outbox.unpublished === 0 &&
      status.projections.every(
        (s) => s.lastApplied?.eventId === eventId && s.queue.waiting + s.queue.active === 0,
      );
    return settled ? status : undefined;
  });

  t.same(report.outbox, { unpublished: 0, oldestOccurredAt: null, oldestAgeMs: null });
  t.same(
    report.projections.map((s) => s.projection),
    projectionNames,
  );
  for (const s of report.projections) {
    t.same(s.queue, { waiting: 0, active: 0, delayed: 0, failed: 0 }, `${s.projection} queue`);
    t.match(s.lastApplied, { eventId, type: 'ProductCreated', version: 1 });
    t.ok((s.lastApplied?.lagMs ?? -1) >= 0, `${s.projection} lag is measured`);
    t.ok((s.lastApplied?.sinceAppliedMs ?? -1) >= 0);
    t.ok(Date.parse(s.lastApplied?.appliedAt ?? '') >= Date.parse(s.lastApplied?.occurredAt ?? ''));
  }

  const text = memoryOutput();
  printStatus(report, { json: false }, text);
  t.match(text.lines[0], /^queue\s+waiting\s+active\s+delayed\s+failed$/);
  t.match(text.text(), /^search\s+0\s+0\s+0\s+0$/m);
  t.match(text.text(), /^last applied\s+event id\s+type\s+version\s+occurred at\s+lag\s+applied$/m);
  for (const projection of projectionNames) {
    t.match(
      text.text(),
      new RegExp(
        `^${projection}\\s+${eventId}\\s+ProductCreated\\s+1\\s+\\S+\\s+\\d+(\\.\\d)? m?s\\s+.* ago$`,
        'm',
      ),
    );
  }
  t.match(text.text(), /^outbox: 0 unpublished events$/m);
  const columns = text.lines.slice(1, 4).map((line) => line.length);
  t.same(new Set(columns).size, 1, 'queue columns are aligned');

  const json = memoryOutput();
  printStatus(report, { json: true }, json);
  t.same(JSON.parse(json.text()), report, '--json prints the report as it is');
});

t.test('An unrelayed event shows as outbox backlog with its age', async (t) => {
  const config = isolatedConfig(t);
  const h = await writeHarness(t, config);
  await insertOutboxEvent(h.pool);
  await h.pool.query(`UPDATE outbox SET occurred_at = now() - interval '90 seconds'`);

  const out = memoryOutput();
  const report = await runStatus(config, { json: true }, out);
  t.equal(report.outbox.unpublished, 1);
  t.ok((report.outbox.oldestAgeMs ?? 0) >= 90_000);
  t.ok(report.projections.every((s) => s.lastApplied === null));
  t.same(JSON.parse(out.text()) as StatusReport, report);

  const text = memoryOutput();
  printStatus(report, { json: false }, text);
  t.match(text.text(), /^outbox: 1 unpublished event, oldest 1 min 3\d s old \(/m);
  t.match(text.text(), /^analytics\s+\(nothing applied yet\)$/m);
});
