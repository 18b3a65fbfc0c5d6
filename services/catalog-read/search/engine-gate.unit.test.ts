import t from 'tap';
import { Problem } from '../../../shared/http/problems.js';
import { EngineGate, type EnginePriority } from './engine-gate.js';

/** A request that finishes when the test says so. */
function pending() {
  let finish = () => undefined as void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { done, finish };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

t.test('When the limit is reached, then the next requests wait for a turn', async (t) => {
  const gate = new EngineGate({ limit: 2, maxWaitMs: 10_000 });
  const requests = [pending(), pending(), pending()];
  const started: number[] = [];
  const runs = requests.map((r, i) =>
    gate.run('first', () => {
      started.push(i);
      return r.done;
    }),
  );
  await settle();
  t.same(started, [0, 1], 'two in flight');
  t.equal(gate.waiting, 1);
  requests[1]?.finish();
  await settle();
  t.same(started, [0, 1, 2], 'the third starts when one finishes');
  t.equal(gate.waiting, 0);
  requests[0]?.finish();
  requests[2]?.finish();
  await Promise.all(runs);
});

t.test(
  'When turns are free again, then follow-ups go before searches that came earlier',
  async (t) => {
    const gate = new EngineGate({ limit: 1, maxWaitMs: 10_000 });
    const busy = pending();
    const order: string[] = [];
    const holder = gate.run('first', () => busy.done);
    const queued = (
      [
        ['first', 'new search 1'],
        ['first', 'new search 2'],
        ['follow-up', 'typo fallback'],
        ['follow-up', 'facet recount'],
      ] as [EnginePriority, string][]
    ).map(([priority, name]) =>
      gate.run(priority, () => {
        order.push(name);
        return Promise.resolve();
      }),
    );
    await settle();
    t.same(order, [], 'all wait while the turn is held');
    busy.finish();
    await Promise.all([holder, ...queued]);
    t.same(order, ['typo fallback', 'facet recount', 'new search 1', 'new search 2']);
  },
);

t.test(
  'When a request waits longer than its bound, then it is refused as unavailable',
  async (t) => {
    const timeouts: EnginePriority[] = [];
    const gate = new EngineGate({
      limit: 1,
      maxWaitMs: 20,
      onTimeout: (priority) => timeouts.push(priority),
    });
    const busy = pending();
    const holder = gate.run('first', () => busy.done);
    let ran = false;
    const error = await gate
      .run('first', () => {
        ran = true;
        return Promise.resolve();
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    t.ok(error instanceof Problem, 'a problem');
    t.match(error, { code: 'unavailable', status: 503, headers: { 'retry-after': '1' } });
    t.notOk(ran, 'the work never ran');
    t.same(timeouts, ['first']);
    t.equal(gate.waiting, 0, 'it left the line');
    busy.finish();
    await holder;
    // The refused waiter took no turn with it: the next request starts at once.
    let next = false;
    await gate.run('first', () => {
      next = true;
      return Promise.resolve();
    });
    t.ok(next);
  },
);

t.test('When a request fails, then its turn is given back', async (t) => {
  const gate = new EngineGate({ limit: 1, maxWaitMs: 10_000 });
  await t.rejects(
    gate.run('first', () => Promise.reject(new Error('engine down'))),
    {
      message: 'engine down',
    },
  );
  const answer = await gate.run('first', () => Promise.resolve(42));
  t.equal(answer, 42);
});

t.test('When the limit is 0, then nothing waits', async (t) => {
  const gate = new EngineGate({ limit: 0, maxWaitMs: 1 });
  const requests = Array.from({ length: 50 }, () => pending());
  let started = 0;
  const runs = requests.map((r) =>
    gate.run('first', () => {
      started += 1;
      return r.done;
    }),
  );
  t.equal(started, 50);
  t.equal(gate.waiting, 0);
  for (const r of requests) r.finish();
  await Promise.all(runs);
});

t.test('When waits are reported, then a request that waited says for how long', async (t) => {
  const waits: [EnginePriority, number][] = [];
  let clock = 1_000;
  const gate = new EngineGate({
    limit: 1,
    maxWaitMs: 10_000,
    onStart: (priority, waitedMs) => waits.push([priority, waitedMs]),
    now: () => clock,
  });
  const busy = pending();
  const holder = gate.run('first', () => busy.done);
  const follow = gate.run('follow-up', () => Promise.resolve());
  clock += 37;
  busy.finish();
  await Promise.all([holder, follow]);
  t.same(waits, [
    ['first', 0],
    ['follow-up', 37],
  ]);
});
