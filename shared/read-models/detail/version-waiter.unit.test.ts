import t from 'tap';
import type { AnnouncementListener, AnnouncementSource } from './cache.js';
import { VersionWaiter } from './version-waiter.js';

class ControlledSource implements AnnouncementSource {
  listener: AnnouncementListener | undefined;
  listen(listener: AnnouncementListener): void {
    this.listener = listener;
  }
}

/** A read model the test moves by hand; resolves `read` calls with its version, counting them. */
function model() {
  let version = 1;
  let reads = 0;
  let readHappened: () => void = () => undefined;
  return {
    set: (v: number) => (version = v),
    reads: () => reads,
    nextRead: () => new Promise<void>((resolve) => (readHappened = resolve)),
    read: () => {
      reads += 1;
      readHappened();
      return Promise.resolve(version);
    },
  };
}

t.test('An announcement of the awaited version wakes the waiter at once', async (t) => {
  const source = new ControlledSource();
  const waiter = new VersionWaiter(source);
  const m = model();
  const firstRead = m.nextRead();
  const waiting = waiter.waitFor('p', 3, 60_000, m.read);
  await firstRead;
  source.listener?.announced('p', 2);
  source.listener?.announced('other', 3);
  m.set(3);
  const secondRead = m.nextRead();
  source.listener?.announced('p', 3);
  await secondRead;
  t.equal(await waiting, true);
  t.equal(m.reads(), 2, 'read once first, once on the matching announcement');
});

t.test('When the subscription comes back, every waiter reads again', async (t) => {
  const source = new ControlledSource();
  const waiter = new VersionWaiter(source);
  const m = model();
  const firstRead = m.nextRead();
  const waiting = waiter.waitFor('p', 2, 60_000, m.read);
  await firstRead;
  source.listener?.lost();
  m.set(2); // written while the subscription was down: its announcement was missed
  source.listener?.restored();
  t.equal(await waiting, true);
  t.equal(m.reads(), 2);
});

t.test('Past the deadline the waiter gives up', async (t) => {
  const waiter = new VersionWaiter(new ControlledSource());
  t.equal(await waiter.waitFor('p', 5, 20, model().read), false);
});
