import t from 'tap';
import { shuffled } from './deliveries.js';
import type { Ack } from './load.js';
import { healTime, maxStaleness, type Visibility } from './staleness.js';

const ack = (at: number): Ack => ({ id: 'p', version: 1, kind: 'price', at });

t.test('max staleness is the largest ack→visible time per read model', async (t) => {
  const seen: Visibility[] = [
    { ack: ack(1000), visibleAt: { search: 1500, detail: 1100, analytics: 1200 } },
    { ack: ack(2000), visibleAt: { search: 2100, detail: 2900, analytics: 2050 } },
  ];
  t.same(maxStaleness(seen), { search: 500, detail: 900, analytics: 200 });
});

t.test('a command never seen in a read model makes its staleness unknown', async (t) => {
  const seen: Visibility[] = [{ ack: ack(1000), visibleAt: { search: 1500, detail: 1100 } }];
  t.same(maxStaleness(seen), { search: 500, detail: 100, analytics: undefined });
});

t.test('heal time counts only commands acknowledged before the fault ended', async (t) => {
  const seen: Visibility[] = [
    { ack: ack(1000), visibleAt: { search: 5000, detail: 4000, analytics: 6500 } },
    { ack: ack(8000), visibleAt: { search: 9000, detail: 9000, analytics: 9000 } },
  ];
  t.equal(healTime(seen, 5000), 1500);
  t.equal(healTime(seen, 7000), 0, 'nothing was behind when the fault ended');
  t.equal(healTime([{ ack: ack(1000), visibleAt: {} }], 5000), undefined);
});

t.test('shuffled keeps every item once, in the order the random source gives', async (t) => {
  t.same(
    shuffled([1, 2, 3, 4], () => 0),
    [2, 3, 4, 1],
  );
  t.same([...shuffled([1, 2, 3, 4, 5])].sort(), [1, 2, 3, 4, 5]);
});
