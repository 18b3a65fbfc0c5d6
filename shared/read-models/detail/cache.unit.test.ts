import { Registry } from 'prom-client';
import t from 'tap';
import {
  DetailCache,
  registerDetailCacheMetrics,
  type AnnouncementListener,
  type AnnouncementSource,
  type DetailEntry,
} from './cache.js';

/** An announcement source the test drives by hand. */
class ControlledSource implements AnnouncementSource {
  private readonly listeners: AnnouncementListener[] = [];
  listen(listener: AnnouncementListener): void {
    this.listeners.push(listener);
  }
  announce(id: string, version: number): void {
    for (const l of this.listeners) l.announced(id, version);
  }
  lose(): void {
    for (const l of this.listeners) l.lost();
  }
  restore(): void {
    for (const l of this.listeners) l.restored();
  }
}

const entry = (version: number, text = `v${version}`): DetailEntry => ({
  body: Buffer.from(JSON.stringify({ text, version })),
  etag: `"etag-${text}"`,
  version,
});

function liveCache(maxBytes = 1_000_000) {
  const source = new ControlledSource();
  const cache = new DetailCache(maxBytes);
  source.listen(cache);
  source.restore();
  /** A Redis read of `read` for `id`, started and finished at once. */
  const fill = (id: string, read: DetailEntry | undefined) =>
    cache.endFill(cache.beginFill(id), read);
  return { source, cache, fill };
}

t.test('A stored read is served as is, and counted as a hit', async (t) => {
  const { cache, fill } = liveCache();
  t.equal(cache.get('a'), undefined, 'nothing held yet');
  const stored = entry(3);
  fill('a', stored);
  t.equal(cache.get('a'), stored, 'the same bytes, ETag and version');
  t.match(cache.counts, { hits: 1, misses: 1, fillsStored: 1 });
});

t.test('Until the subscription is confirmed, nothing is served or stored', async (t) => {
  const cache = new DetailCache(1_000_000);
  cache.endFill(cache.beginFill('a'), entry(1));
  t.equal(cache.get('a'), undefined);
  t.match(cache.counts, { bypasses: 1, fillsStored: 0, fillsDiscarded: 1 });
});

t.test('An announcement drops an entry at or below its version, not a newer one', async (t) => {
  const { source, cache, fill } = liveCache();
  fill('a', entry(2));
  source.announce('a', 1);
  t.equal(cache.get('a')?.version, 2, 'an older announcement leaves the newer entry');
  source.announce('a', 2);
  t.equal(cache.get('a'), undefined, 'same version: a repair may have rewritten it');
  fill('a', entry(3));
  source.announce('a', 4);
  t.equal(cache.get('a'), undefined, 'a newer version was announced');
  t.equal(cache.counts.evictedByAnnouncement, 2);
  source.announce('b', 9);
  t.equal(cache.size.entries, 0, 'an announcement of another product changes nothing');
});

t.test('A read that began before an announcement and returns after it is not stored', async (t) => {
  const { source, cache, fill } = liveCache();
  fill('a', entry(1, 'old'));
  const ticket = cache.beginFill('a');
  source.announce('a', 2); // the projector wrote v2 while the read was in flight
  cache.endFill(ticket, entry(1, 'old')); // the read saw the bytes before the write
  t.equal(cache.get('a'), undefined, 'the older bytes are not put back');
  t.equal(cache.counts.fillsDiscarded, 1);

  const equal = cache.beginFill('a');
  source.announce('a', 2); // a repair of v2 while a read of v2 was in flight
  cache.endFill(equal, entry(2, 'before repair'));
  t.equal(cache.get('a'), undefined, 'a read as old as the announcement may hold replaced bytes');

  const newer = cache.beginFill('a');
  source.announce('a', 2);
  cache.endFill(newer, entry(3));
  t.equal(cache.get('a')?.version, 3, 'a read newer than every announcement is stored');
});

t.test(
  'Overlapping reads of one product all respect an announcement made during any',
  async (t) => {
    const { source, cache } = liveCache();
    const first = cache.beginFill('a');
    const second = cache.beginFill('a');
    source.announce('a', 5);
    cache.endFill(first, entry(4));
    cache.endFill(second, entry(4));
    t.equal(cache.get('a'), undefined);
    const later = cache.beginFill('a');
    cache.endFill(later, entry(4));
    t.equal(cache.get('a')?.version, 4, 'once no read is in flight, the floor is forgotten');
  },
);

t.test('A read never replaces a newer held entry', async (t) => {
  const { cache, fill } = liveCache();
  fill('a', entry(5));
  fill('a', entry(4));
  t.equal(cache.get('a')?.version, 5);
  fill('a', entry(6));
  t.equal(cache.get('a')?.version, 6, 'a newer read replaces it');
  t.equal(cache.size.entries, 1);
});

t.test(
  'While the subscription is down nothing is served, and the entries are dropped',
  async (t) => {
    const { source, cache, fill } = liveCache();
    fill('a', entry(1));
    fill('b', entry(1));
    const inFlight = cache.beginFill('c');
    source.lose();
    t.equal(cache.get('a'), undefined);
    t.same(cache.size, { entries: 0, bytes: 0 });
    fill('a', entry(2));
    t.equal(cache.size.entries, 0, 'reads while down are not stored');
    source.restore();
    cache.endFill(inFlight, entry(1));
    t.equal(cache.get('c'), undefined, 'a read begun before the subscription came back is void');
    fill('a', entry(2));
    t.equal(cache.get('a')?.version, 2, 'after it came back, reads are stored again');
    t.match(cache.counts, { evictedBySubscription: 2, bypasses: 1 });
  },
);

t.test(
  'Memory stays within the byte bound; a recently served entry gets a second chance',
  async (t) => {
    const one = entry(1, 'x'.repeat(400));
    const perEntry = (() => {
      const { cache, fill } = liveCache();
      fill('id-0', one);
      return cache.size.bytes;
    })();
    const { cache, fill } = liveCache(perEntry * 3);
    fill('id-0', one);
    fill('id-1', one);
    fill('id-2', one);
    t.equal(cache.size.bytes, perEntry * 3);
    cache.get('id-0'); // served: survives the next eviction round
    fill('id-3', one);
    t.equal(cache.size.entries, 3);
    t.ok(cache.size.bytes <= perEntry * 3);
    t.ok(cache.get('id-0'), 'the served entry stayed');
    t.equal(cache.get('id-1'), undefined, 'the oldest unserved entry went');
    t.equal(cache.counts.evictedByCapacity, 1);
    const huge = entry(1, 'y'.repeat(perEntry * 4));
    fill('huge', huge);
    t.equal(cache.get('huge'), undefined, 'an entry larger than the whole cache is not stored');
    t.ok(cache.size.bytes <= perEntry * 3);
  },
);

t.test('The counts are exported as metrics', async (t) => {
  const { source, cache, fill } = liveCache();
  const registry = new Registry();
  registerDetailCacheMetrics(cache, registry);
  fill('a', entry(1));
  cache.get('a');
  cache.get('b');
  source.announce('a', 2);
  const text = await registry.metrics();
  t.match(text, /aisle_detail_cache_lookups_total\{outcome="hit"\} 1/);
  t.match(text, /aisle_detail_cache_lookups_total\{outcome="miss"\} 1/);
  t.match(text, /aisle_detail_cache_evictions_total\{reason="announcement"\} 1/);
  t.match(text, /aisle_detail_cache_fills_total\{outcome="stored"\} 1/);
  t.match(text, /aisle_detail_cache_entries 0/);
  t.match(text, /aisle_detail_cache_bytes 0/);
  t.match(await registry.metrics(), /outcome="hit"\} 1/, 'a second scrape does not double');
});
