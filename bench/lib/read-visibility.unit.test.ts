import t from 'tap';
import { lagPercentiles, VisibilityTracker } from './read-visibility.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

t.test('percentiles: nearest rank, never-seen writes rank above every seen one', async (t) => {
  const seen = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
  t.strictSame(lagPercentiles(seen, 0), { p50: 50, p95: 95, p99: 99, max: 100 });
  // 98 seen + 2 never seen: p99 is rank 99, a never-seen write.
  t.strictSame(lagPercentiles(seen.slice(0, 98), 2), { p50: 50, p95: 95, p99: null, max: null });
  // Unsorted input 1,1,2,2…99,99,100 and one never seen, 200 in all: p99 (rank 198) is seen.
  const shuffled = [...seen, ...seen.slice(0, 99)].reverse();
  t.equal(lagPercentiles(shuffled, 1).p99, 99);
  t.equal(lagPercentiles(shuffled, 1).max, null);
  t.ok(Number.isNaN(lagPercentiles([], 0).p50), 'no writes: no figure');
  t.strictSame(lagPercentiles([], 3), { p50: null, p95: null, p99: null, max: null });
});

t.test('when a write is seen: its version or a later one, per read model', async (t) => {
  const tracker = new VisibilityTracker(10_000, 100);
  tracker.acknowledge({ id: A, version: 5, at: 1000 });
  tracker.acknowledge({ id: B, version: 3, at: 1000 });
  t.strictSame(tracker.pending('detail').sort(), [A, B]);

  tracker.observe('detail', A, 4, 1010); // an older version: not this write
  tracker.observe('detail', A, 6, 1040); // a later one: this write is reflected
  tracker.observe('search', B, 3, 1500);
  t.strictSame(tracker.pending('detail'), [B]);
  t.strictSame(tracker.pending('search'), [A]);
  tracker.observe('detail', A, 7, 1100); // seen once: the first observation counts
  t.equal(tracker.outstandingCount(), 2, 'each write still waits for one read model');

  tracker.observe('detail', B, 3, 1200);
  tracker.observe('search', A, 5, 1600);
  t.equal(tracker.outstandingCount(), 0, 'all seen everywhere: nothing left to poll');
  const s = tracker.summary();
  t.equal(s.acknowledged, 2);
  t.strictSame(s.byModel.detail.seenLagMs.count, 2);
  t.equal(s.byModel.detail.p50, 40);
  t.equal(s.byModel.detail.max, 200);
  t.equal(s.byModel.search.p50, 500);
  t.equal(s.byModel.search.max, 600);
});

t.test('two writes of one product: a later version shows both', async (t) => {
  const tracker = new VisibilityTracker(10_000, 100);
  tracker.acknowledge({ id: A, version: 5, at: 1000 });
  tracker.acknowledge({ id: A, version: 6, at: 1020 });
  t.strictSame(tracker.pending('search'), [A], 'one product polled once');
  tracker.observe('search', A, 6, 1520);
  t.strictSame(tracker.summary().byModel.search.seenLagMs.max, 520);
  t.equal(tracker.summary().byModel.search.seen, 2);
});

t.test('resolution: from the later of the answer and the last poll not showing it', async (t) => {
  const tracker = new VisibilityTracker(10_000, 100);
  tracker.acknowledge({ id: A, version: 2, at: 1000 });
  tracker.acknowledge({ id: B, version: 4, at: 1000 });
  // A: seen by the first poll after its answer (no earlier poll asked for it).
  tracker.observe('detail', A, 2, 1030, undefined);
  // B: a poll started at 1050 still showed an older version; the next one answered at 1120.
  tracker.observe('detail', B, 3, 1060, undefined);
  tracker.observe('detail', B, 4, 1120, 1050);
  const d = tracker.summary().byModel.detail;
  t.strictSame([d.seenLagMs.min, d.seenLagMs.max], [30, 120]);
  t.strictSame([d.resolutionMs.min, d.resolutionMs.max], [30, 70]);
  // A previous poll that started before the write was answered cannot have shown it.
  tracker.acknowledge({ id: A, version: 3, at: 2000 });
  tracker.observe('detail', A, 3, 2040, 1990);
  t.equal(tracker.summary().byModel.detail.resolutionMs.count, 3);
  t.equal(tracker.summary().byModel.detail.resolutionMs.mean, (30 + 70 + 40) / 3);
});

t.test('deadline: unseen writes are counted as never seen, not dropped', async (t) => {
  const tracker = new VisibilityTracker(1000, 100);
  tracker.acknowledge({ id: A, version: 2, at: 0 });
  tracker.acknowledge({ id: B, version: 9, at: 500 });
  tracker.observe('detail', A, 2, 30);
  tracker.expire(999);
  t.equal(tracker.summary().byModel.search.neverSeen, 0, 'not yet past the deadline');
  t.equal(tracker.lastDeadline(), 1500);

  tracker.expire(1000); // A is 1000 ms old: never seen in search, seen in detail
  t.strictSame(tracker.pending('search'), [B]);
  t.strictSame(tracker.pending('detail'), [B]);
  tracker.observe('search', A, 2, 1001); // too late: it stays never seen
  tracker.observe('search', B, 9, 1100);

  const s = tracker.summary();
  t.strictSame(
    [s.byModel.search.writes, s.byModel.search.seen, s.byModel.search.neverSeen],
    [2, 1, 1],
  );
  t.equal(s.byModel.search.p50, 600, 'rank 1 of 2: the seen write');
  t.equal(s.byModel.search.max, null, 'rank 2: beyond the deadline');
  t.equal(s.byModel.detail.unresolved, 1, 'B: neither seen nor expired in detail yet');

  tracker.expire(1500);
  const after = tracker.summary();
  t.equal(after.byModel.detail.neverSeen, 1);
  t.equal(after.byModel.detail.unresolved, 0);
  t.equal(tracker.outstandingCount(), 0);
  t.equal(tracker.lastDeadline(), undefined);
});

t.test('bounded: writes beyond maxOutstanding are counted as untracked', async (t) => {
  const tracker = new VisibilityTracker(1000, 2);
  t.ok(tracker.acknowledge({ id: A, version: 1, at: 0 }));
  t.ok(tracker.acknowledge({ id: B, version: 1, at: 0 }));
  t.notOk(tracker.acknowledge({ id: A, version: 2, at: 1 }), 'full');
  tracker.observe('detail', A, 1, 10);
  tracker.observe('search', A, 1, 10);
  t.ok(tracker.acknowledge({ id: A, version: 3, at: 20 }), 'room again once A is seen everywhere');
  const s = tracker.summary();
  t.equal(s.acknowledged, 4);
  t.equal(s.untracked, 1);
  t.equal(s.byModel.detail.writes, 3);
});
