import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SYNONYM_SET_ID } from '../../../shared/events/merchandising-events.js';
import {
  bootstrapSynonyms,
  readInitialSynonymLines,
} from '../../../shared/write-model/merchandising/initial-synonyms.js';
import { writeHarness, type WriteHarness } from '../../../test/support/catalog-write.js';
import { merchandisingState } from '../../../test/support/merchandising.js';

const URL = '/admin/v1/search/synonyms';

const put = (h: WriteHarness, lines: unknown, headers: Record<string, string> = {}) =>
  h.admin({ method: 'PUT', url: URL, payload: { lines }, headers });

const get = async (h: WriteHarness) => {
  const res = await h.admin({ method: 'GET', url: URL });
  t.equal(res.statusCode, 200);
  return { ...res.json<{ version: number; lines: string[] }>(), etag: res.headers.etag };
};

t.test('Before any set is stored, GET answers the initial file at version 0', async (t) => {
  const h = await writeHarness(t);
  const initial = await readInitialSynonymLines();
  t.ok(initial.some((line) => line.startsWith('sneakers, trainers')));
  t.strictSame(await get(h), { version: 0, lines: initial, etag: '"0"' });
  t.strictSame(await merchandisingState(h.pool), { sets: [], rules: [], outbox: 0 });
});

t.test('A replace stores the lines with a SynonymsReplaced event carrying them', async (t) => {
  const h = await writeHarness(t);
  const lines = ['# shoes', '', 'sneakers, trainers', 'parka, anorak => jacket'];
  const first = await put(h, lines, { 'if-match': '"0"' });
  t.equal(first.statusCode, 200);
  t.strictSame(first.json(), { version: 1, lines });
  t.equal(first.headers['x-aisle-version'], '1');
  t.equal(first.headers.etag, '"1"');
  t.strictSame(await get(h), { version: 1, lines, etag: '"1"' });

  const second = await put(h, ['tv, television'], { 'if-match': '1' });
  t.strictSame(second.json(), { version: 2, lines: ['tv, television'] });
  const events = await h.outboxEvents(SYNONYM_SET_ID);
  t.strictSame(
    events.map((e) => [e.event_type, e.aggregate_version]),
    [
      ['SynonymsReplaced', '1'],
      ['SynonymsReplaced', '2'],
    ],
  );
  t.match(events[0]?.payload, {
    aggregate: 'synonyms',
    type: 'SynonymsReplaced',
    synonymSetId: SYNONYM_SET_ID,
    version: 1,
    snapshot: { version: 1, lines, updatedAt: String },
  });
  t.strictSame((events[1]?.payload['snapshot'] as { lines: unknown }).lines, ['tv, television']);
});

t.test('The same lines again are no change: same version, no event', async (t) => {
  const h = await writeHarness(t);
  await put(h, ['a, b']);
  const again = await put(h, ['a, b'], { 'if-match': '"1"' });
  t.equal(again.statusCode, 200);
  t.strictSame(again.json(), { version: 1, lines: ['a, b'] });
  t.equal((await h.outboxEvents()).length, 1);
});

t.test('A stale If-Match is 409 and changes nothing', async (t) => {
  const h = await writeHarness(t);
  await put(h, ['a, b']);
  await put(h, ['a, b, c']);
  const before = await merchandisingState(h.pool);
  const stale = await put(h, ['x, y'], { 'if-match': '"1"' });
  t.equal(stale.statusCode, 409);
  t.match(stale.json(), { code: 'version_mismatch' });
  t.equal(stale.headers.etag, '"2"');
  const never = await writeHarness(t);
  t.equal((await put(never, ['x, y'], { 'if-match': '"1"' })).statusCode, 409, 'none is 0');
  t.strictSame(await merchandisingState(h.pool), before);
});

t.test('Every bad set is a 400 problem that names its lines and changes nothing', async (t) => {
  const h = await writeHarness(t);
  await put(h, ['a, b']);
  const before = await merchandisingState(h.pool);
  const malformed = await put(h, ['ok, fine', 'lonely', '# note', 'a => b => c', '=> x', 'y,\nz']);
  t.equal(malformed.statusCode, 400);
  t.match(malformed.headers['content-type'], /^application\/problem\+json/);
  t.match(malformed.json(), {
    code: 'validation_failed',
    detail: 'synonym lines 2, 4, 5, 6 cannot be parsed; nothing was changed',
  });
  t.strictSame(malformed.json<{ errors: unknown }>().errors, [
    { field: 'lines', message: 'line 2: a group needs two terms' },
    { field: 'lines', message: 'line 4: more than one "=>"' },
    { field: 'lines', message: 'line 5: a side of the rule has no terms' },
    { field: 'lines', message: 'line 6: a line must not contain a line break' },
  ]);
  const cases: [string, Record<string, unknown>][] = [
    ['5,001 lines', { lines: Array.from({ length: 5001 }, () => '') }],
    ['a line of 1,001 characters', { lines: [`a, ${'b'.repeat(998)}`] }],
    ['a line that is not text', { lines: ['a, b', 7] }],
    ['no lines', {}],
    ['lines that are not a list', { lines: 'a, b' }],
    ['an unknown field', { lines: ['a, b'], version: 3 }],
    ['a NUL character', { lines: ['a, b\u0000'] }],
  ];
  for (const [name, payload] of cases) {
    const res = await h.admin({ method: 'PUT', url: URL, payload });
    t.equal(res.statusCode, 400, name);
    t.match(res.headers['content-type'], /^application\/problem\+json/, name);
  }
  t.strictSame(await merchandisingState(h.pool), before, 'no row or event changed');
  t.equal((await put(h, [`a, ${'b'.repeat(997)}`])).statusCode, 200, '1,000 characters are fine');
});

t.test('An Idempotency-Key replays the answer and writes once', async (t) => {
  const h = await writeHarness(t);
  const headers = { 'idempotency-key': 'synonyms-1' };
  const first = await put(h, ['a, b'], headers);
  const replay = await put(h, ['a, b'], headers);
  t.equal(replay.statusCode, 200);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.strictSame(replay.json(), first.json());
  t.equal(replay.headers['x-aisle-version'], '1');
  const other = await put(h, ['c, d'], headers);
  t.equal(other.statusCode, 422);
  t.match(other.json(), { code: 'idempotency_key_reused' });
  t.equal((await h.outboxEvents()).length, 1);
});

t.test('Bootstrap stores the initial set once, even when run concurrently', async (t) => {
  const h = await writeHarness(t);
  const runs = await Promise.all([1, 2, 3, 4].map(() => bootstrapSynonyms(h.pool)));
  t.equal(runs.filter((r) => r.created).length, 1, 'exactly one run created it');
  const initial = await readInitialSynonymLines();
  for (const run of runs) t.strictSame(run.set.lines, initial);
  const events = await h.outboxEvents(SYNONYM_SET_ID);
  t.equal(events.length, 1);
  t.match(events[0]?.payload, {
    type: 'SynonymsReplaced',
    correlationId: 'aisle-bootstrap',
    snapshot: { version: 1, lines: initial },
  });
  t.strictSame(await get(h), { version: 1, lines: initial, etag: '"1"' });

  await put(h, ['a, b'], { 'if-match': '"1"' });
  const later = await bootstrapSynonyms(h.pool);
  t.notOk(later.created, 'a stored set is never replaced by the file');
  t.equal(later.set.version, 2);
  t.strictSame((await get(h)).lines, ['a, b']);
  t.equal((await h.outboxEvents()).length, 2);
});

t.test('A malformed initial file stores nothing and names its lines', async (t) => {
  const h = await writeHarness(t);
  const dir = await mkdtemp(join(tmpdir(), 'aisle-synonyms-'));
  const file = join(dir, 'synonyms.txt');
  await writeFile(file, '# header\nsneakers, trainers\nlonely\n');
  await t.rejects(bootstrapSynonyms(h.pool, file), {
    code: 'validation_failed',
    message: /synonym line 3 /,
  });
  t.strictSame(await merchandisingState(h.pool), { sets: [], rules: [], outbox: 0 });
});
