import t from 'tap';
import { LocalCounters } from './local-counters.js';

const WINDOW = 60_000;
const counters = (maxKeys = 100) => new LocalCounters({ maxKeys });

t.test('Given a new key, when requests come, then each is counted in one window', async (t) => {
  const local = counters();
  t.same(local.count('read:a', WINDOW, 1000), { current: 1, ttl: WINDOW });
  t.same(local.count('read:a', WINDOW, 1500), { current: 2, ttl: WINDOW - 500 });
  t.same(local.count('read:b', WINDOW, 1500), { current: 1, ttl: WINDOW }, 'keys apart');
});

t.test('Given a window that ended, when the key is counted, then a new one begins', async (t) => {
  const local = counters();
  local.count('read:a', WINDOW, 0);
  local.count('read:a', WINDOW, 10);
  t.same(local.count('read:a', WINDOW, WINDOW), { current: 1, ttl: WINDOW });
  t.same(local.takeUnsent(WINDOW + 1).length, 1, 'only the new window has something to send');
});

t.test('Given unsent requests, when a sync takes them, then they are counted once', async (t) => {
  const local = counters();
  local.count('read:a', WINDOW, 0);
  local.count('read:a', WINDOW, 0);
  const [item, ...rest] = local.takeUnsent(100);
  t.match(item, { key: 'read:a', increment: 2, ttl: WINDOW - 100 });
  t.same(rest, []);
  t.same(local.takeUnsent(100), [], 'nothing twice');
  t.equal(local.count('read:a', WINDOW, 150).current, 3, 'requests in flight still count');
});

t.test(
  'Given a sync answered, when the key is counted, then the global count decides',
  async (t) => {
    const local = counters();
    local.count('read:a', WINDOW, 0);
    const [item] = local.takeUnsent(100);
    local.count('read:a', WINDOW, 120); // during the round trip
    // Another instance had counted 5 in this window, which began 10 s earlier on it.
    local.applyReply(item!, { count: 6, ttl: 50_000 }, 130);
    t.same(local.count('read:a', WINDOW, 200), { current: 8, ttl: 50_000 - 70 });
    t.equal(local.count('read:a', WINDOW, 50_130).current, 1, "Redis's window end holds");
  },
);

t.test('Given a sync failed, then its requests keep counting on this instance', async (t) => {
  const local = counters();
  for (let i = 0; i < 3; i++) local.count('read:a', WINDOW, 0);
  for (const item of local.takeUnsent(100)) local.applyFailure(item);
  t.equal(local.count('read:a', WINDOW, 200).current, 4);
  const [next] = local.takeUnsent(300);
  t.equal(next?.increment, 1, 'the next sync sends only what is new');
  local.applyReply(next!, { count: 1, ttl: 59_000 }, 310);
  t.equal(
    local.count('read:a', WINDOW, 400).current,
    5,
    'Redis never had the 3, this instance has',
  );
});

t.test('Given a reply for a window that has ended, then the new window ignores it', async (t) => {
  const local = counters();
  local.count('read:a', WINDOW, 0);
  const [old] = local.takeUnsent(WINDOW - 10);
  local.count('read:a', WINDOW, WINDOW + 5);
  local.applyReply(old!, { count: 900, ttl: 5 }, WINDOW + 6);
  t.equal(local.count('read:a', WINDOW, WINDOW + 7).current, 2);
});

t.test('Given more keys than the cap, then the window that began first is dropped', async (t) => {
  const local = counters(2);
  local.count('read:a', WINDOW, 0);
  local.count('read:b', WINDOW, 1);
  local.count('read:a', WINDOW, 2);
  local.count('read:c', WINDOW, 3);
  t.equal(local.size, 2);
  t.equal(local.count('read:a', WINDOW, 4).current, 1, 'a, whose window began first, was dropped');
  t.equal(local.size, 2, 'and b with it now');
  const sent = local.takeUnsent(5).map((item) => [item.key, item.increment]);
  t.same(
    sent.sort(),
    [
      ['read:a', 1],
      ['read:a', 2],
      ['read:b', 1],
      ['read:c', 1],
    ],
    'evicted counts still go to Redis with the next sync',
  );
});

t.test('Given windows that ended, when swept, then only idle ended ones go', async (t) => {
  const local = counters();
  local.count('read:a', WINDOW, 0);
  local.count('read:b', WINDOW, 10);
  local.count('read:c', 1000, 20);
  for (const item of local.takeUnsent(30)) local.applyReply(item, { count: 1, ttl: 1000 }, 30);
  local.count('read:a', WINDOW, 40); // a has something unsent again
  local.sweep(2000);
  t.equal(local.size, 3, 'a came first and is not idle: sweeping stops there');
  local.takeUnsent(2000);
  local.sweep(2000);
  t.equal(local.size, 0, 'every window ended at 1030 and has nothing left to send');
});

t.test('Given requests after the window end, then they are never sent', async (t) => {
  const local = counters();
  local.count('read:a', 1000, 0);
  t.same(local.takeUnsent(1000), [], "Redis's key has expired with that window");
});
