import t from 'tap';
import {
  isoFromUnix,
  list,
  literal,
  sql,
  toNullableNumber,
  toNumber,
  type Sql,
} from './clickhouse-sql.js';

t.test('literal() quotes strings and escapes backslash and quote', async (t) => {
  t.equal(literal(''), "''");
  t.equal(literal('shoe'), "'shoe'");
  t.equal(literal("o'neill"), "'o\\'neill'");
  t.equal(literal("' OR 1=1 --"), "'\\' OR 1=1 --'");
  t.equal(literal("'); DROP TABLE x; --"), "'\\'); DROP TABLE x; --'");
  t.equal(literal('back\\slash'), "'back\\\\slash'");
  t.equal(literal("\\'"), "'\\\\\\''", 'a backslash before a quote cannot un-escape it');
  t.equal(literal('\\'), "'\\\\'", 'a trailing backslash cannot swallow the closing quote');
  t.equal(literal("''"), "'\\'\\''");
});

t.test('literal() writes NUL and every control character as an escape', async (t) => {
  t.equal(literal('a\u0000b'), "'a\\0b'");
  t.equal(literal('\n\r\t\b\f'), "'\\n\\r\\t\\b\\f'");
  t.equal(literal('\u0001\u001b\u001f\u007f'), "'\\x01\\x1b\\x1f\\x7f'");
  for (let code = 0; code < 0x20; code++) {
    const out = literal(String.fromCharCode(code));
    t.notOk(
      [...out].some((c) => c.charCodeAt(0) < 0x20),
      `U+${code.toString(16)} leaves no raw control character`,
    );
  }
});

t.test('literal() passes Unicode through and refuses lone surrogates', async (t) => {
  t.equal(literal('üñí 💥 日本'), "'üñí 💥 日本'");
  t.equal(literal('\u2028\u2029'), "'\u2028\u2029'");
  t.throws(() => literal('\ud83d'), TypeError);
  t.throws(() => literal('x\udca5'), TypeError);
  const long = "a'\\".repeat(10_000);
  t.equal(literal(long).length, 2 + 10_000 * 5);
});

t.test('literal() writes only safe integers as numbers', async (t) => {
  t.equal(literal(0), '0');
  t.equal(literal(-42), '-42');
  t.equal(literal(Number.MAX_SAFE_INTEGER), '9007199254740991');
  t.equal(literal(2n ** 64n), '18446744073709551616');
  for (const bad of [1.5, NaN, Infinity, -Infinity, 2 ** 53, 1e300]) {
    t.throws(() => literal(bad), TypeError, String(bad));
  }
});

t.test('literal() writes dates as UTC DateTime, whole seconds, in range', async (t) => {
  t.equal(literal(new Date('2024-03-01T10:20:30Z')), "toDateTime('2024-03-01 10:20:30', 'UTC')");
  t.equal(
    literal(new Date('2024-03-01T12:20:30+02:00')),
    "toDateTime('2024-03-01 10:20:30', 'UTC')",
  );
  t.equal(literal(new Date(0)), "toDateTime('1970-01-01 00:00:00', 'UTC')");
  t.throws(() => literal(new Date('nope')), TypeError);
  t.throws(() => literal(new Date('2024-03-01T10:20:30.5Z')), TypeError);
  t.throws(() => literal(new Date(-1000)), TypeError);
  t.throws(() => literal(new Date('2200-01-01T00:00:00Z')), TypeError);
});

t.test('literal() refuses every other type', async (t) => {
  for (const bad of [null, undefined, true, {}, [], { text: '1; DROP TABLE x' }, Symbol('x')]) {
    t.throws(() => literal(bad as never), TypeError, typeof bad);
  }
});

t.test('sql`` escapes every value and keeps only its own fragments as SQL', async (t) => {
  const evil = "x' OR 1=1 --";
  const q = sql`SELECT * FROM t WHERE a = ${evil} AND b < ${10} AND c >= ${new Date(0)}`;
  t.equal(
    q.text,
    "SELECT * FROM t WHERE a = 'x\\' OR 1=1 --' AND b < 10 AND c >= toDateTime('1970-01-01 00:00:00', 'UTC')",
  );
  const inner = sql`x = ${'a'}`;
  t.equal(sql`WHERE ${inner} AND ${inner}`.text, "WHERE x = 'a' AND x = 'a'");
  t.equal(sql`IN (${list(['a', "b'", 3])})`.text, "IN ('a', 'b\\'', 3)");
  t.throws(() => list([]), TypeError);

  const forged = Object.freeze({ text: '1; DROP TABLE x' }) as Sql;
  t.throws(() => sql`SELECT ${forged}`, TypeError, 'a look-alike fragment is not SQL');
  const fakeStrings = Object.assign(['SELECT 1; DROP TABLE x'], {
    raw: ['SELECT 1; DROP TABLE x'],
  }) as unknown as TemplateStringsArray;
  t.throws(() => sql(fakeStrings), TypeError, 'only a real (frozen) template');
  t.ok(Object.isFrozen(q), 'fragments cannot be altered after the fact');
});

t.test('toNumber() reads ClickHouse numbers, quoted 64-bit ones too', async (t) => {
  t.equal(toNumber('42'), 42);
  t.equal(toNumber(42), 42);
  t.equal(toNumber('-7'), -7);
  t.equal(toNumber(2.5), 2.5);
  t.equal(toNumber('9007199254740991'), Number.MAX_SAFE_INTEGER);
  t.throws(() => toNumber('18446744073709551615'), TypeError, 'no silent precision loss');
  for (const bad of ['', ' ', 'abc', null, undefined, NaN, {}, 'Infinity']) {
    t.throws(() => toNumber(bad), TypeError, JSON.stringify(bad) ?? 'undefined');
  }
  t.equal(toNullableNumber(null), null);
  t.equal(toNullableNumber('3'), 3);
});

t.test('isoFromUnix() gives UTC ISO strings ending in Z', async (t) => {
  t.equal(isoFromUnix(1709288430), '2024-03-01T10:20:30Z');
  t.equal(isoFromUnix('0'), '1970-01-01T00:00:00Z');
});
