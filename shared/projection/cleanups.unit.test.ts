import t from 'tap';
import { once, runCleanups } from './cleanups.js';

t.test('Every cleanup runs in order even when earlier ones fail', async (t) => {
  const ran: string[] = [];
  const first = new Error('drain failed');
  const third = new Error('quit failed');
  const error = await runCleanups('the worker', [
    async () => {
      ran.push('worker');
      throw first;
    },
    async () => void ran.push('drain'),
    () => {
      ran.push('redis');
      return Promise.reject(third);
    },
    () => void ran.push('sync'),
  ]).catch((e: unknown) => e);
  t.same(ran, ['worker', 'drain', 'redis', 'sync']);
  t.type(error, AggregateError);
  t.same((error as AggregateError).errors, [first, third]);
  t.equal((error as AggregateError).message, '2 of 4 steps of closing the worker failed');
});

t.test('When every cleanup succeeds, then runCleanups resolves', async (t) => {
  const ran: number[] = [];
  await t.resolves(runCleanups('x', [async () => void ran.push(1), async () => void ran.push(2)]));
  t.same(ran, [1, 2]);
});

t.test('once: a second call returns the first call’s promise and runs nothing again', async (t) => {
  let calls = 0;
  const close = once(async () => {
    calls++;
    throw new Error('boom');
  });
  const a = close();
  const b = close();
  t.equal(a, b);
  await t.rejects(a, /boom/);
  await t.rejects(close(), /boom/, 'later calls see the same outcome');
  t.equal(calls, 1);
});
