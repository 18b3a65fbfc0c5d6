import { randomUUID } from 'node:crypto';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import t from 'tap';
import type { ProductSnapshot } from '../../../shared/events/catalog-events.js';
import type { AnnouncementListener } from '../../../shared/read-models/detail/cache.js';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import { detailProjection } from '../../../shared/read-models/detail/projection.js';
import { VersionChannel } from '../../../shared/read-models/detail/version-waiter.js';
import { closeRedis, createRedis, openRedis, type Redis } from '../../../shared/stores/redis.js';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { startTcpProxy } from '../../../test/support/tcp-proxy.js';
import { waitFor } from '../../../test/support/wait.js';
import { DetailReader } from './detail-reader.js';

function snapshot(id: string, version: number, name = `Trail shoe v${version}`): ProductSnapshot {
  return {
    id,
    sku: `SKU-${id.slice(0, 8)}`,
    name,
    description: 'A shoe for trails.',
    brand: 'Stride',
    categoryId: null,
    attributes: { color: 'blue' },
    images: [],
    price: { amountMinor: 1000 + version, currency: 'EUR' },
    stock: { available: 3, byWarehouse: { 'ams-1': 3 } },
    status: 'published',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: `2026-01-01T00:00:0${version % 10}.000Z`,
    version,
  };
}

/** Records what the channel told it; registered after the cache, so it hears things second. */
class Witness implements AnnouncementListener {
  readonly seen: string[] = [];
  live = false;
  announced(id: string, version: number): void {
    this.seen.push(`${id} ${version}`);
  }
  lost(): void {
    this.live = false;
  }
  restored(): void {
    this.live = true;
  }
}

interface Held {
  /** Resolves once Redis has answered the held read. */
  readonly answered: Promise<void>;
  /** Lets the held read return its answer. */
  release(): void;
}

/** A Redis whose next HMGET answer can be held back after Redis gave it. */
function gatedRedis(redis: Redis): { client: Redis; hold: () => Held } {
  let next: { arrived: () => void; released: Promise<void> } | undefined;
  const client = Object.create(redis) as Redis;
  client.hmgetBuffer = (async (...args: Parameters<Redis['hmgetBuffer']>) => {
    const answer = await redis.hmgetBuffer(...args);
    const held = next;
    next = undefined;
    if (held !== undefined) {
      held.arrived();
      await held.released;
    }
    return answer;
  }) as Redis['hmgetBuffer'];
  const hold = (): Held => {
    let arrived: () => void = () => undefined;
    let release: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    next = { arrived, released };
    return { answered, release };
  };
  return { client, hold };
}

async function setup(t: Teardowns, subscriberUrl?: string) {
  const config = isolatedConfig(t);
  const redis = openRedis(config.redisUrl);
  const subscriber = createRedis(subscriberUrl ?? config.redisUrl, 'blocking');
  subscriber.on('error', () => undefined);
  const channel = new VersionChannel(subscriber, detailKeys.versions(config.redisKeyPrefix), {
    heartbeatMs: 200,
  });
  await channel.start();
  const { client, hold } = gatedRedis(redis.client);
  const reader = new DetailReader({
    redis: client,
    keyPrefix: config.redisKeyPrefix,
    announcements: channel,
    cacheMaxBytes: 1_000_000,
    registry: new Registry(),
  });
  const witness = new Witness();
  channel.listen(witness);
  const projection = detailProjection(redis.client, config.redisKeyPrefix);
  t.teardown(async () => {
    await closeRedis(subscriber);
    await redis.close();
  });
  const stored = async (id: string) => {
    const [body, etag, version] = await redis.client.hmget(
      detailKeys.product(config.redisKeyPrefix, id),
      'body',
      'etag',
      'version',
    );
    return { body, etag, version: Number(version) };
  };
  /** Puts the version through the projection and waits until the channel told the witness. */
  const project = async (s: ProductSnapshot) => {
    if (!(await projection.putProduct(s))) throw new Error(`version ${s.version} was not newer`);
    await waitFor(`announcement of ${s.version}`, async () =>
      witness.seen.includes(`${s.id} ${s.version}`) ? true : undefined,
    );
  };
  return { config, reader, hold, witness, projection, project, stored, redis: redis.client };
}

t.test('A cache hit serves the same bytes and ETag as Redis holds', async (t) => {
  const { reader, project, stored } = await setup(t);
  const id = randomUUID();
  await project(snapshot(id, 1));
  t.equal(reader.cached(id, undefined), undefined, 'not read yet');
  const first = await reader.read(id);
  const hit = reader.cached(id, undefined);
  const inRedis = await stored(id);
  t.ok(hit);
  t.equal(hit?.body.toString(), inRedis.body);
  t.equal(hit?.etag, inRedis.etag);
  t.equal(hit?.version, 1);
  t.same(hit, first.entry, 'the read was stored as it came');
});

t.test('An update through the projection is visible right after its announcement', async (t) => {
  const { reader, project, stored } = await setup(t);
  const id = randomUUID();
  await project(snapshot(id, 1));
  await reader.read(id);
  t.equal(reader.cached(id, undefined)?.version, 1);
  await project(snapshot(id, 2, 'Renamed shoe'));
  // The witness heard the announcement after the cache did: nothing older may be served now.
  t.equal(reader.cached(id, undefined), undefined, 'the old entry is gone');
  const read = await reader.read(id);
  t.equal(read.version, 2);
  t.match(read.entry?.body.toString(), /Renamed shoe/);
  t.equal(reader.cached(id, undefined)?.etag, (await stored(id)).etag);
});

t.test('A read begun before an announcement does not put the older bytes back', async (t) => {
  const { reader, hold, project, stored } = await setup(t);
  const id = randomUUID();
  await project(snapshot(id, 1));
  const held = hold();
  const inFlight = reader.read(id);
  await held.answered; // Redis answered version 1; the answer is held back
  await project(snapshot(id, 2)); // the projector writes version 2 and announces it
  held.release();
  const late = await inFlight;
  t.equal(late.version, 1, 'the read itself saw version 1');
  t.equal(reader.cached(id, undefined), undefined, 'and it was not stored');
  const fresh = await reader.read(id);
  t.equal(fresh.version, 2);
  t.equal(reader.cached(id, undefined)?.etag, (await stored(id)).etag);
});

t.test('A read with minVersion never takes an older cached entry', async (t) => {
  const { reader, project, projection } = await setup(t);
  const id = randomUUID();
  await project(snapshot(id, 1));
  await reader.read(id);
  t.equal(reader.cached(id, 1)?.version, 1);
  t.equal(reader.cached(id, 2), undefined, 'version 2 is asked for; the cache has 1');
  await projection.putProduct(snapshot(id, 2));
  t.equal((await reader.read(id)).version, 2);
});

/** A loopback proxy that can stop passing bytes without closing anything (a silent network). */
async function stallingProxy(target: URL) {
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    /** The connections open now stop passing bytes; new ones work. */
    stall: () => {
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

t.test('While the subscription is down nothing is served; after it, the new bytes', async (t) => {
  const config = isolatedConfig(t);
  const proxy = await startTcpProxy(new URL(config.redisUrl));
  t.teardown(() => proxy.close());
  const { reader, hold, witness, projection, project } = await setup(t, proxy.url);
  const id = randomUUID();
  const other = randomUUID();
  await project(snapshot(id, 1));
  await project(snapshot(other, 1));
  await reader.read(id);
  t.equal(reader.cached(id, undefined)?.version, 1);

  const held = hold();
  const acrossReconnection = reader.read(other);
  await held.answered;
  proxy.setDown(true);
  await waitFor('the subscription to go down', async () => (witness.live ? undefined : true));
  t.equal(reader.cached(id, undefined), undefined, 'nothing is served while it is down');
  await projection.putProduct(snapshot(id, 2)); // announced while nobody listens
  t.equal((await reader.read(id)).version, 2, 'reads go to Redis meanwhile');
  t.equal(reader.cached(id, undefined), undefined, 'and are not stored');

  proxy.setDown(false);
  await waitFor('the subscription to come back', async () => (witness.live ? true : undefined));
  held.release();
  t.equal((await acrossReconnection).version, 1);
  t.equal(reader.cached(other, undefined), undefined, 'a read begun before it is not stored');
  t.equal(reader.cached(id, undefined), undefined, 'the cache starts empty after it');
  t.equal((await reader.read(id)).version, 2);
  t.equal(reader.cached(id, undefined)?.version, 2, 'and fills again');
});

t.test('A subscription that goes silent counts as down, and is reconnected', async (t) => {
  const config = isolatedConfig(t);
  const proxy = await stallingProxy(new URL(config.redisUrl));
  t.teardown(() => proxy.close());
  const { reader, witness, project } = await setup(t, proxy.url);
  const id = randomUUID();
  await project(snapshot(id, 1));
  await reader.read(id);
  t.ok(reader.cached(id, undefined));
  proxy.stall(); // no FIN, no RST: only an unanswered PING tells
  await waitFor('the heartbeat to notice', async () => (witness.live ? undefined : true), 5_000);
  t.equal(reader.cached(id, undefined), undefined);
  await waitFor('a new subscription', async () => (witness.live ? true : undefined), 10_000);
  await project(snapshot(id, 2));
  t.equal((await reader.read(id)).version, 2);
  t.equal(reader.cached(id, undefined)?.version, 2);
});
