// The usage projection on a real ClickHouse: view events carry a count of views per product per
// flush; a job queued before that (no count) still counts one view per event, a bad count is
// rejected alone, and a retried job counts once.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { UsageBatch, UsageEvent } from '../../events/usage-events.js';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { openClickHouse } from '../../stores/clickhouse.js';
import { clickhouseOptions } from '../../stores/open.js';
import { topProducts } from './queries.js';
import { bootstrapClickHouse } from './tables.js';
import { usageProjection, type RejectedUsage } from './usage-projection.js';

const AT = '2025-05-06T07:08:09.000Z';
const window = { from: new Date('2025-05-06T00:00:00Z'), to: new Date('2025-05-07T00:00:00Z') };

function view(productId: string, views?: unknown): UsageEvent {
  return {
    kind: 'view',
    eventId: randomUUID(),
    occurredAt: AT,
    productId,
    ...(views === undefined ? {} : { views: views as number }),
  };
}

t.test(
  'When a job mixes counted, old-style and bad view events, then each good one counts its views and each bad one is rejected alone',
  async (t) => {
    const config = isolatedConfig(t);
    await bootstrapClickHouse(clickhouseOptions(config));
    const ch = openClickHouse(clickhouseOptions(config));
    t.teardown(() => ch.close());
    const rejected: RejectedUsage[] = [];
    const projection = usageProjection(ch.client, { onRejected: (r) => rejected.push(r) });

    const counted = randomUUID();
    const old = randomUUID();
    const bad = randomUUID();
    const badEvents = [0, -3, 2.5, '7', null, Number.NaN, 2 ** 32].map((n) => view(bad, n));
    const search: UsageEvent = {
      kind: 'search',
      eventId: randomUUID(),
      occurredAt: AT,
      query: 'lantern',
      filters: {},
      resultCount: 2,
      latencyMs: 3,
    };
    const batch: UsageBatch = {
      events: [
        view(counted, 1_000),
        badEvents[0] as UsageEvent,
        view(old), // queued by a catalog-read from before views were counted
        view(old),
        ...badEvents.slice(1),
        view(counted, 234),
        view(bad, 5),
        search,
      ],
    };
    await projection.apply(batch);

    t.same(
      await topProducts(ch.client, 'views', { window, limit: 10 }),
      [
        { productId: counted, views: 1_234 },
        { productId: bad, views: 5 },
        { productId: old, views: 2 },
      ],
      'counts summed; an event without a count is one view; the bad events are left out',
    );
    t.same(
      rejected.map((r) => r.event.eventId),
      badEvents.map((e) => e.eventId),
      'every bad count, and only those, reported',
    );
    t.match(rejected[0]?.reason, /views must be an integer from 1/);
    const searches = await ch.client.query({
      query: 'SELECT count() AS n FROM storefront_searches',
      format: 'JSONEachRow',
    });
    t.equal(Number((await searches.json<{ n: string }>())[0]?.n), 1, 'the search is stored');

    // A retried job (the worker died after the insert) inserts the same rows again.
    await projection.apply(batch);
    t.same(
      (await topProducts(ch.client, 'views', { window, limit: 10 })).map((r) => r.views),
      [1_234, 5, 2],
      'a retried job counts once',
    );
  },
);
