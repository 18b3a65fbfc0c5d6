import t from 'tap';
import type { GenerationState } from '../../../shared/read-models/search/generation.js';
import { ENTRY_OVERHEAD_BYTES, ResultCache, olderStamp, servable } from './result-cache.js';

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

// The validity rule: refresh 500 + poll 100 = settle 600; short TTL 500; max age 60 s.
const limits = { ttlMs: 500, maxAgeMs: 60_000, settleMs: 600 };
const followed = (generation: number, changedAt: number) =>
  ({ followed: true, generation, changedAt }) as const;

t.test('servable: settled entries of the current generation live until max age', async (t) => {
  const entry = { computedAt: 1_600, storedAt: 1_620, generation: 7 };
  const state = followed(7, 1_000);
  t.ok(servable(entry, state, 1_620 + 59_999, limits), 'just under max age');
  t.notOk(servable(entry, state, 1_620 + 60_000, limits), 'at max age: the safety net');
  t.notOk(servable(entry, followed(8, 70_000), 2_000, limits), 'another generation: never');
});

t.test(
  'servable: an entry computed within refresh + poll of the change keeps the TTL',
  async (t) => {
    const state = followed(7, 1_000);
    const early = { computedAt: 1_599, storedAt: 1_610, generation: 7 };
    t.ok(servable(early, state, 1_610 + 499, limits));
    t.notOk(servable(early, state, 1_610 + 500, limits), 'may predate the refresh: short TTL');
    const onTheBound = { ...early, computedAt: 1_600 };
    t.ok(servable(onTheBound, state, 1_610 + 500, limits), 'computed at change + settle: long');
    const beforeChange = { computedAt: 900, storedAt: 950, generation: 7 };
    t.notOk(
      servable(beforeChange, state, 1_450, limits),
      'computed before following resumed at 1000 (same number): short TTL from its store time',
    );
  },
);

t.test('servable: not followed, every entry gets the TTL, whatever it was', async (t) => {
  const settled = { computedAt: 5_000, storedAt: 5_000, generation: 7 };
  t.ok(servable(settled, { followed: false }, 5_499, limits));
  t.notOk(servable(settled, { followed: false }, 5_500, limits), 'falls back to the TTL');
  const unstamped = { computedAt: 5_000, storedAt: 5_000, generation: undefined };
  t.ok(servable(unstamped, followed(7, 0), 5_499, limits), 'computed unfollowed: TTL only');
  t.notOk(servable(unstamped, followed(7, 0), 5_500, limits));
  t.notOk(
    servable(settled, followed(7, 1_000), 6_000, { ...limits, maxAgeMs: 100 }),
    'a max age under the TTL acts as the TTL',
  );
  t.ok(servable(settled, followed(7, 1_000), 5_499, { ...limits, maxAgeMs: 100 }));
});

/** A cache with the limits above, following the generation `state` gives. */
const followingCache = (time: ReturnType<typeof clock>, state: () => GenerationState) =>
  new ResultCache({
    maxBytes: 10_000,
    ...limits,
    generation: { current: state },
    now: time.now,
  });

t.test(
  'The cache follows the generation: long life, ended by a change or a fallback',
  async (t) => {
    const time = clock();
    let state: GenerationState = { followed: true, generation: 1, changedAt: time.now() };
    const cache = followingCache(time, () => state);
    cache.set('early', { v: 1 });
    time.advance(600);
    const stamp = cache.stamp();
    time.advance(50); // the engine's answer comes back
    cache.set('late', { v: 2 }, stamp);
    time.advance(10_000);
    t.equal(cache.get('early'), undefined, 'stored right after the change: TTL');
    t.strictSame(cache.get('late'), { v: 2 }, 'stored after refresh + poll: still served 10 s on');
    state = { followed: true, generation: 2, changedAt: time.now() };
    t.equal(cache.get('late'), undefined, 'the generation changed: gone at once');
    t.equal(cache.bytes, 0);

    time.advance(600);
    cache.set('again', { v: 3 });
    time.advance(1_000);
    t.ok(cache.get('again'));
    state = { followed: false };
    t.equal(cache.get('again'), undefined, 'not followed any more: older than the TTL, gone');
    const crossing = cache.stamp();
    state = { followed: true, generation: 2, changedAt: time.now() - 5_000 };
    cache.set('crossing', { v: 4 }, crossing);
    time.advance(500);
    t.equal(cache.get('crossing'), undefined, 'computed while not followed: TTL only');
  },
);

t.test('A hit is the stored value itself, frozen, with the stamp it was stored with', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 10_000, ttlMs: 500, now: time.now });
  const value = { items: [{ id: 'a' }], total: 1 };
  const stamp = cache.stamp();
  time.advance(20);
  cache.set('k', value, stamp);
  const found = cache.read<typeof value>('k');
  t.equal(found?.value, value, 'no copy: a hit costs no parsing');
  t.strictSame(found?.stamp, { ...stamp, storedAt: 1_020 }, 'and when it was stored');
  t.ok(Object.isFrozen(value) && Object.isFrozen(value.items[0]), 'frozen all the way down');
  t.throws(() => {
    (value.items as { id: string }[]).push({ id: 'b' });
  }, 'a shared answer cannot be changed by one of its readers');
  const body = Buffer.from('{"total":1}');
  cache.set('body', { body }, stamp, body.byteLength);
  t.equal(
    cache.bytes,
    bytesOf('k', value) + body.byteLength + 2 * 'body'.length + ENTRY_OVERHEAD_BYTES,
    'a size given in bytes is counted as given',
  );
  t.equal(cache.get<{ body: Buffer }>('body')?.body, body, 'bytes are kept, not frozen');
});

t.test('fresh: an answer being computed is shared on the terms of a stored one', async (t) => {
  const time = clock();
  let state: GenerationState = { followed: true, generation: 3, changedAt: time.now() };
  const cache = followingCache(time, () => state);
  time.advance(600);
  const stamp = cache.stamp();
  time.advance(1_000);
  t.ok(cache.fresh(stamp), 'same generation, computed after the change settled');
  state = { followed: true, generation: 4, changedAt: time.now() };
  t.notOk(cache.fresh(stamp), 'the index changed since it was asked: not shared');
  const early = cache.stamp();
  time.advance(499);
  t.ok(cache.fresh(early), 'asked right after a change: shared within the TTL');
  time.advance(1);
  t.notOk(cache.fresh(early), 'and no longer');
});

t.test('An answer built from a cached part lives no longer than that part', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 10_000, ttlMs: 500, now: time.now });
  cache.set('hits', { items: [] });
  time.advance(490);
  const hits = cache.read('hits');
  t.ok(hits, 'the part, 490 ms old');
  const whole = olderStamp(cache.stamp(), hits?.stamp ?? cache.stamp());
  t.equal(whole.storedAt, 1_000, 'the whole answer carries the part’s store time');
  cache.set('whole', { body: 'x' }, whole);
  t.ok(cache.fresh(whole), 'shared while the part would be served');
  time.advance(9);
  t.ok(cache.get('whole'));
  time.advance(1);
  t.equal(cache.get('whole'), undefined, 'gone with its part, not 500 ms after it was stored');
  t.notOk(cache.fresh(whole), 'and no longer shared');
});

t.test('olderStamp: the earliest times, and a generation only if both share it', async (t) => {
  const a = { computedAt: 10, generation: 3, storedAt: 40 };
  const b = { computedAt: 20, generation: 3 };
  t.strictSame(olderStamp(a, b), { computedAt: 10, generation: 3, storedAt: 40 });
  t.strictSame(olderStamp(b, { computedAt: 5, generation: 4 }), {
    computedAt: 5,
    generation: undefined,
  });
});

t.test('An answer of an ended generation is not stored over a newer one', async (t) => {
  const time = clock();
  let state: GenerationState = { followed: true, generation: 1, changedAt: time.now() };
  const cache = followingCache(time, () => state);
  time.advance(600);
  const slow = cache.stamp(); // asked under generation 1, answers late
  state = { followed: true, generation: 2, changedAt: time.now() };
  time.advance(600);
  cache.set('k', { v: 'new' });
  cache.set('k', { v: 'old' }, slow);
  t.strictSame(cache.get('k'), { v: 'new' }, 'the late answer of generation 1 was dropped');
  t.equal(cache.size, 1);
});
