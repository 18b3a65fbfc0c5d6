import t from 'tap';
import { Batcher, type ItemOutcome } from './batcher.js';

t.test('Items are flushed together when the batch is full', async (t) => {
  const flushed: number[][] = [];
  const batcher = new Batcher<number>({
    maxItems: 3,
    maxWaitMs: 60_000,
    flush: (items) => {
      flushed.push([...items]);
      return Promise.resolve(items.map((): ItemOutcome => ({ ok: true })));
    },
  });
  await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
  t.same(flushed, [[1, 2, 3]]);
});

t.test('A partial batch is flushed after the wait', async (t) => {
  const flushed: number[][] = [];
  const batcher = new Batcher<number>({
    maxItems: 100,
    maxWaitMs: 10,
    flush: (items) => {
      flushed.push([...items]);
      return Promise.resolve(items.map((): ItemOutcome => ({ ok: true })));
    },
  });
  await Promise.all([batcher.add(1), batcher.add(2)]);
  t.same(flushed, [[1, 2]]);
});

t.test('Each item settles with its own outcome; a failed flush fails them all', async (t) => {
  let failWhole = false;
  const batcher = new Batcher<number>({
    maxItems: 3,
    maxWaitMs: 5,
    flush: (items) => {
      if (failWhole) return Promise.reject(new Error('store down'));
      return Promise.resolve(
        items.map((n): ItemOutcome =>
          n % 2 === 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true },
        ),
      );
    },
  });
  const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.match(results[1], { reason: { message: 'bad 2' } });
  failWhole = true;
  const all = await Promise.allSettled([batcher.add(4), batcher.add(5)]);
  t.ok(all.every((r) => r.status === 'rejected' && /store down/.test(String(r.reason))));
});

t.test('Drain flushes what is pending', async (t) => {
  const flushed: number[] = [];
  const batcher = new Batcher<number>({
    maxItems: 100,
    maxWaitMs: 60_000,
    flush: (items) => {
      flushed.push(...items);
      return Promise.resolve(items.map((): ItemOutcome => ({ ok: true })));
    },
  });
  const added = batcher.add(7);
  await batcher.drain();
  await added;
  t.same(flushed, [7]);
});
