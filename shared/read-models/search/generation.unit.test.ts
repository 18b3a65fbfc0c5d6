import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { projectPath } from '../../paths.js';
import type { Redis } from '../../stores/redis.js';
import { POLL_LATE_AFTER_MS, SEARCH_REFRESH_INTERVAL_MS, SearchGeneration } from './generation.js';
import { searchKeys } from './keys.js';

t.test('The refresh interval the search cache counts on is the template’s', async (t) => {
  const template = JSON.parse(
    await readFile(
      projectPath('shared', 'read-models', 'search', 'products.template.json'),
      'utf8',
    ),
  ) as { settings?: { index?: { refresh_interval?: string }; refresh_interval?: string } };
  const raw = template.settings?.index?.refresh_interval ?? template.settings?.refresh_interval;
  t.equal(raw, `${SEARCH_REFRESH_INTERVAL_MS}ms`);
});

/**
 * The follow rule with a hand-driven Redis and clock: what it tells apart is timing (a poll that
 * starts late because the process was busy vs one that does not come back), which a real Redis
 * cannot be made to show on cue. generation-cache.int.test.ts covers it on the real Redis.
 */
function harness() {
  let now = 10_000;
  let answer: () => Promise<string | null> = () => Promise.resolve('5');
  const subscriber = Object.assign(new EventEmitter(), {
    status: 'ready',
    subscribe: () => Promise.resolve(1),
  });
  const generation = new SearchGeneration({
    redis: { get: () => answer() } as unknown as Redis,
    subscriber: subscriber as unknown as Redis,
    prefix: 'unit',
    pollMs: 100,
    now: () => now,
  });
  return {
    generation,
    subscriber,
    advance: (ms: number) => (now += ms),
    answerWith: (next: () => Promise<string | null>) => (answer = next),
    state: () => generation.current(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A harness whose generation is started and has read its first value (5). */
async function started(t: { teardown(fn: () => unknown): void }) {
  const h = harness();
  h.generation.start();
  t.teardown(() => h.generation.close());
  await settle();
  return h;
}

t.test('A poll that starts late is not a lapse: what was followed stays so', async (t) => {
  const h = await started(t);
  t.match(h.state(), { followed: true, generation: 5, changedAt: 10_000 });
  h.advance(5_000); // no poll ran for 5 s: this process was busy, Redis said nothing
  t.match(h.state(), { followed: true, generation: 5, changedAt: 10_000 }, 'still followed');
  await h.generation.poll();
  t.match(h.state(), { followed: true, generation: 5, changedAt: 10_000 }, 'and not restarted');
});

t.test('A poll out too long, or failed, is a lapse; the next success restarts', async (t) => {
  const h = await started(t);
  let release = (_: string): void => undefined;
  h.answerWith(() => new Promise((resolve) => (release = resolve)));
  const hung = h.generation.poll();
  h.advance(POLL_LATE_AFTER_MS);
  t.match(h.state(), { followed: true }, 'out for the limit exactly: still followed');
  h.advance(1);
  t.strictSame(h.state(), { followed: false }, 'out longer: Redis is not answering');
  release('5');
  await hung;
  t.match(
    h.state(),
    { followed: true, generation: 5, changedAt: 10_000 + POLL_LATE_AFTER_MS + 1 },
    'back with the same number, not vouched for from before the lapse',
  );

  h.answerWith(() => Promise.reject(new Error('ECONNRESET')));
  await h.generation.poll();
  t.strictSame(h.state(), { followed: false }, 'a failed poll');
  h.advance(50);
  h.answerWith(() => Promise.resolve('6'));
  await h.generation.poll();
  t.match(h.state(), { followed: true, generation: 6 }, 'the next success follows again');
});

t.test('A lost subscription is a lapse until it is back', async (t) => {
  const h = await started(t);
  h.subscriber.emit('close');
  t.strictSame(h.state(), { followed: false });
  h.advance(200);
  h.subscriber.emit('ready');
  await settle();
  t.match(h.state(), { followed: true, generation: 5, changedAt: 10_200 });
  h.subscriber.emit('message', searchKeys.generationChannel('unit'), '7');
  t.match(h.state(), { followed: true, generation: 7 }, 'an announcement moves it forward');
});

t.test('A poll read before an announcement does not move the generation back', async (t) => {
  const h = await started(t);
  let reply = (_: string): void => undefined;
  h.answerWith(() => new Promise((resolve) => (reply = resolve)));
  const out = h.generation.poll(); // reads 5 ...
  h.advance(10);
  h.subscriber.emit('message', searchKeys.generationChannel('unit'), '6'); // ... then 6 is announced
  reply('5');
  await out;
  t.match(h.state(), { followed: true, generation: 6, changedAt: 10_010 }, 'still 6');
  h.answerWith(() => Promise.resolve('4'));
  await h.generation.poll();
  t.match(h.state(), { generation: 4 }, 'a lower value with no announcement meanwhile: a reset');
});

t.test('A poll asked for while one is out runs when it ends', async (t) => {
  const h = await started(t);
  let reads = 0;
  let reply = (_: string): void => undefined;
  h.answerWith(() => {
    reads += 1;
    return reads === 1 ? new Promise((resolve) => (reply = resolve)) : Promise.resolve('9');
  });
  const out = h.generation.poll();
  h.subscriber.emit('ready'); // resubscribed while the poll is out: it asks for another
  await settle();
  reply('5');
  await out;
  await settle();
  t.equal(reads, 2, 'the poll asked for meanwhile ran after the one out');
  t.match(h.state(), { followed: true, generation: 9 }, 'and saw what changed meanwhile');
});
