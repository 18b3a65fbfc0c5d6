import t from 'tap';
import { Problem } from '../../http/problems.js';
import { resolveWindow } from './window.js';

const now = new Date('2024-03-10T12:00:00.250Z');
const iso = (d: Date) => d.toISOString();

function problemOf(fn: () => unknown): Problem | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof Problem ? error : undefined;
  }
  return undefined;
}

t.test('Without from/to the window is the last 7 days up to now', async (t) => {
  const w = resolveWindow({}, now);
  t.equal(iso(w.to), '2024-03-10T12:00:01.000Z', 'rounded up to the second');
  t.equal(iso(w.from), '2024-03-03T12:00:01.000Z');
});

t.test('Only to: from is 7 days earlier; only from: to is now', async (t) => {
  const a = resolveWindow({ to: '2024-02-01T00:00:00Z' }, now);
  t.equal(iso(a.from), '2024-01-25T00:00:00.000Z');
  const b = resolveWindow({ from: '2024-03-01T00:00:00Z' }, now);
  t.equal(iso(b.from), '2024-03-01T00:00:00.000Z');
  t.equal(iso(b.to), '2024-03-10T12:00:01.000Z');
});

t.test('Offsets are honoured and fractions round up, keeping [from, to) exact', async (t) => {
  const w = resolveWindow({ from: '2024-03-01T02:00:00+02:00', to: '2024-03-02T00:00:00.001Z' });
  t.equal(iso(w.from), '2024-03-01T00:00:00.000Z');
  t.equal(iso(w.to), '2024-03-02T00:00:01.000Z');
});

t.test('from must be before to, within 366 days, within the DateTime range', async (t) => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ from: '2024-03-02T00:00:00Z', to: '2024-03-01T00:00:00Z' }, 'querystring.from', /before/],
    [{ from: '2024-03-01T00:00:00Z', to: '2024-03-01T00:00:00Z' }, 'querystring.from', /before/],
    [{ from: '2023-01-01T00:00:00Z', to: '2024-01-03T00:00:00Z' }, 'querystring.to', /366 days/],
    [{ from: '1969-12-31T23:59:59Z', to: '1970-01-02T00:00:00Z' }, 'querystring.from', /1970/],
    [{ from: '2100-01-01T00:00:00Z', to: '2100-01-02T00:00:00Z' }, 'querystring.to', /2100/],
    [{ from: '2024-12-31T23:59:60Z', to: '2025-01-02T00:00:00Z' }, 'querystring.from', /read/],
    [{ from: '2024-03-10T12:00:01Z' }, 'querystring.from', /before/],
  ];
  for (const [query, field, message] of cases) {
    const problem = problemOf(() => resolveWindow(query, now));
    t.equal(problem?.status, 400, JSON.stringify(query));
    t.equal(problem?.errors?.[0]?.field, field);
    t.match(problem?.errors?.[0]?.message, message);
  }
  t.ok(resolveWindow({ from: '2023-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' }), '366 days');
  const hourly = problemOf(() =>
    resolveWindow({ from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:01Z' }, now, 31),
  );
  t.equal(hourly?.status, 400, 'a narrower limit where a route asks for one');
});
