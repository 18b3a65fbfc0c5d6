import t from 'tap';
import { VisibilityAnnouncer } from './visibility.js';

function recorder() {
  const calls: string[] = [];
  let refreshFailures = 0;
  return {
    calls,
    failNextRefreshes: (n: number) => {
      refreshFailures = n;
    },
    refresh: () => {
      calls.push('refresh');
      if (refreshFailures > 0) {
        refreshFailures -= 1;
        return Promise.reject(new Error('engine away'));
      }
      return Promise.resolve();
    },
    announce: () => {
      calls.push('announce');
      return Promise.resolve();
    },
  };
}

t.test('an announcement follows a refresh, never precedes it', async (t) => {
  const r = recorder();
  const announcer = new VisibilityAnnouncer({ ...r, minIntervalMs: 0, retryMs: 1 });
  announcer.request();
  await announcer.settled();
  t.strictSame(r.calls, ['refresh', 'announce']);
});

t.test('requests made while one runs are coalesced into one more', async (t) => {
  const r = recorder();
  const announcer = new VisibilityAnnouncer({ ...r, minIntervalMs: 20, retryMs: 1 });
  announcer.request(); // starts at once
  for (let i = 0; i < 50; i++) announcer.request(); // made after that refresh began
  await announcer.settled();
  t.strictSame(
    r.calls,
    ['refresh', 'announce', 'refresh', 'announce'],
    'the 50 requests made while the first ran share one more refresh',
  );
});

t.test('forced refreshes are at least minIntervalMs apart', async (t) => {
  const r = recorder();
  const starts: number[] = [];
  const announcer = new VisibilityAnnouncer({
    refresh: () => {
      starts.push(Date.now());
      return r.refresh();
    },
    announce: r.announce,
    minIntervalMs: 60,
    retryMs: 1,
  });
  announcer.request();
  await announcer.settled();
  announcer.request();
  await announcer.settled();
  t.equal(starts.length, 2);
  t.ok((starts[1] ?? 0) - (starts[0] ?? 0) >= 55, `refreshes ${starts[1]! - starts[0]!} ms apart`);
});

t.test('a failed refresh is retried and nothing is announced before it succeeds', async (t) => {
  const r = recorder();
  const errors: unknown[] = [];
  r.failNextRefreshes(2);
  const announcer = new VisibilityAnnouncer({
    ...r,
    minIntervalMs: 0,
    retryMs: 5,
    onError: (e) => errors.push(e),
  });
  announcer.request();
  await announcer.settled();
  t.strictSame(r.calls, ['refresh', 'refresh', 'refresh', 'announce']);
  t.equal(errors.length, 2);
});

t.test('after close nothing new starts', async (t) => {
  const r = recorder();
  const announcer = new VisibilityAnnouncer({ ...r, minIntervalMs: 0, retryMs: 1 });
  await announcer.close();
  announcer.request();
  await announcer.settled();
  t.strictSame(r.calls, []);
});
