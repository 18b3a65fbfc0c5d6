import t from 'tap';
import { ENTRY_OVERHEAD_BYTES, ResultCache } from './result-cache.js';

const clock = () => {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
const bytesOf = (key: string, value: unknown) =>
  2 * (JSON.stringify(value).length + key.length) + ENTRY_OVERHEAD_BYTES;

t.test('An entry is served until its TTL and never after', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 10_000, ttlMs: 500, now: time.now });
  cache.set('k', { total: 3 });
  t.strictSame(cache.get('k'), { total: 3 });
  time.advance(499);
  t.strictSame(cache.get('k'), { total: 3 }, 'still within its TTL (reads do not extend it)');
  time.advance(1);
  t.equal(cache.get('k'), undefined, 'expired at the TTL exactly');
  t.equal(cache.size, 0);
  t.equal(cache.bytes, 0, 'its bytes are given back');
});

t.test('Bytes are bounded: the least recently used entries go first', async (t) => {
  const value = { items: 'x'.repeat(100) };
  const one = bytesOf('a', value);
  const cache = new ResultCache({ maxBytes: one * 3, ttlMs: 60_000, now: clock().now });
  cache.set('a', value);
  cache.set('b', value);
  cache.set('c', value);
  t.equal(cache.bytes, one * 3);
  t.ok(cache.get('a'), 'a is now the most recently used');
  cache.set('d', value);
  t.equal(cache.get('b'), undefined, 'b, the least recently used, made room');
  t.ok(cache.get('a'));
  t.ok(cache.get('c'));
  t.ok(cache.get('d'));
  t.ok(cache.bytes <= one * 3);
  cache.set('huge', { items: 'x'.repeat(one * 3) });
  t.equal(cache.get('huge'), undefined, 'a value larger than the whole cache is not kept');
  t.equal(cache.size, 3, 'and evicts nothing');
});

t.test('Replacing an entry counts its bytes once; a cache of 0 bytes keeps nothing', async (t) => {
  const cache = new ResultCache({ maxBytes: 10_000, ttlMs: 500, now: clock().now });
  cache.set('k', { v: 1 });
  cache.set('k', { v: 22 });
  t.equal(cache.bytes, bytesOf('k', { v: 22 }));
  t.strictSame(cache.get('k'), { v: 22 });
  const off = new ResultCache({ maxBytes: 0, ttlMs: 500 });
  t.notOk(off.enabled);
  off.set('k', { v: 1 });
  t.equal(off.get('k'), undefined);
  t.notOk(new ResultCache({ maxBytes: 10, ttlMs: 0 }).enabled, 'a TTL of 0 turns it off too');
});

t.test('Expired entries are dropped when a new one is stored', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 10_000, ttlMs: 100, now: time.now });
  cache.set('old', { v: 1 });
  time.advance(100);
  cache.set('new', { v: 2 });
  t.equal(cache.size, 1);
  t.equal(cache.bytes, bytesOf('new', { v: 2 }));
});
