// The analytics projection on a real ClickHouse: an event whose row ClickHouse refuses fails
// alone; the healthy events batched with it are stored, not retried into the dead letters.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { ProductEvent } from '../../events/catalog-events.js';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { openClickHouse } from '../../stores/clickhouse.js';
import { clickhouseOptions } from '../../stores/open.js';
import { analyticsProjection } from './projection.js';
import { bootstrapClickHouse } from './tables.js';

function created(occurredAt: string): ProductEvent {
  const id = randomUUID();
  return {
    aggregate: 'product',
    type: 'ProductCreated',
    eventId: randomUUID(),
    productId: id,
    version: 1,
    occurredAt,
    correlationId: null,
    changes: { fields: ['sku', 'name'] },
    snapshot: {
      id,
      sku: `SKU-${id.slice(0, 8)}`,
      name: 'Lantern',
      description: '',
      brand: null,
      categoryId: null,
      attributes: {},
      images: [],
      price: null,
      stock: { available: 0, byWarehouse: {} },
      status: 'draft',
      createdAt: occurredAt,
      updatedAt: occurredAt,
      version: 1,
      options: [],
      variants: [],
    },
  };
}

t.test(
  'A batch with a row ClickHouse refuses stores the others and fails only that event',
  async (t) => {
    const config = isolatedConfig(t);
    await bootstrapClickHouse(clickhouseOptions(config));
    const clickhouse = openClickHouse(clickhouseOptions(config));
    t.teardown(() => clickhouse.close());
    // One batch of three: the timer is long, the size triggers the flush.
    const projection = analyticsProjection(clickhouse.client, { maxItems: 3, maxWaitMs: 10_000 });
    const good = [created('2026-01-01T10:00:00.000Z'), created('2026-01-01T11:00:00.000Z')];
    const poison = created('not a time at all');
    const outcomes = await Promise.allSettled(
      [good[0], poison, good[1]].map((event) => projection.apply(event as ProductEvent)),
    );
    t.same(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const rows = await clickhouse.client.query({
      query: 'SELECT toString(event_id) AS id FROM catalog_events ORDER BY id',
      format: 'JSONEachRow',
    });
    t.same(
      (await rows.json<{ id: string }>()).map((r) => r.id),
      good.map((e) => e.eventId).sort(),
      'the healthy events are stored once each',
    );
  },
);
