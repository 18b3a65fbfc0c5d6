import t from 'tap';
import { decodeCursor, encodeCursor } from './list-cursor.js';
import { buildListQuery, likeContains, listConditions } from './list-query.js';

const id = '0b6f5bb2-5c1e-4c7a-9b1e-2f8c2b1f0a11';
const key = '2026-11-23T06:00:00.123456Z';

t.test('A cursor round-trips and is opaque base64url', async (t) => {
  const raw = encodeCursor({ updatedAt: key, id });
  t.match(raw, /^[A-Za-z0-9_-]+$/);
  t.same(decodeCursor(raw), { updatedAt: key, id });
});

t.test('When a cursor is tampered with, then it is refused', async (t) => {
  const good = encodeCursor({ updatedAt: key, id });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const bad = {
    'not base64url': 'abc$def',
    'not JSON': Buffer.from('[oops').toString('base64url'),
    'an object': encode({ updatedAt: key, id }),
    'no check': encode([key, id]),
    'another position, old check': encode([
      '2026-11-23T06:00:00.123457Z',
      id,
      JSON.parse(Buffer.from(good, 'base64url').toString())[2],
    ]),
    'four parts': encode([key, id, 'x', 1]),
    'a number for the time': encode([1700000000, id, 'x']),
    'millisecond precision': encode(['2026-11-23T06:00:00.123Z', id, 'x']),
    'a 13th month': encode(['2026-13-01T00:00:00.000000Z', id, 'x']),
    '31 April': encode(['2026-04-31T00:00:00.000000Z', id, 'x']),
    'a time zone offset': encode(['2026-11-23T06:00:00.123456+01:00', id, 'x']),
    'an upper-case id': encode([key, id.toUpperCase(), 'x']),
    'SQL in the id': encode([key, "x'); DROP TABLE products; --", 'x']),
    'padding added': `${good}=`,
    'a changed character': `${good.slice(0, -2)}${good.endsWith('AA') ? 'AB' : 'AA'}`,
    'too long': 'A'.repeat(400),
  };
  for (const [why, raw] of Object.entries(bad)) t.equal(decodeCursor(raw), undefined, why);
  for (let i = 0; i < good.length; i++) {
    const flipped = `${good.slice(0, i)}${good[i] === 'A' ? 'B' : 'A'}${good.slice(i + 1)}`;
    t.equal(decodeCursor(flipped), undefined, `character ${i} changed`);
  }
});

t.test('LIKE wildcards in q are literal', async (t) => {
  t.equal(likeContains('50%_off\\'), '%50\\%\\_off\\\\%');
  t.equal(likeContains('Shoe'), '%Shoe%');
});

t.test('Without filters, every live product, newest change first', async (t) => {
  t.same(listConditions({ size: 50 }), { conditions: ["p.status <> 'deleted'"], values: [] });
  const query = buildListQuery({ size: 50 });
  t.same(query.values, [51], 'one row more than the page, to know if another follows');
  t.match(query.text, /ORDER BY p\.updated_at DESC, p\.id DESC\s+LIMIT \$1::int\) AS p/);
});

t.test('Every filter becomes one parameterized condition, in a fixed order', async (t) => {
  const categoryId = '7d0c8f0e-1111-4c7a-9b1e-2f8c2b1f0a11';
  const built = listConditions({
    q: 'run',
    status: 'draft',
    categoryId,
    brand: 'Stride',
    sku: 'SKU-1',
    updatedAfter: '2026-01-01T00:00:00Z',
    size: 10,
    cursor: { updatedAt: key, id },
  });
  t.same(built, {
    conditions: [
      'p.status = $1::text',
      'p.category_id = $2::uuid',
      'p.brand = $3::text',
      'p.id IN (SELECT r.product_id FROM sku_registry r WHERE r.sku = $4::text)',
      'p.updated_at > $5::timestamptz',
      '(lower(p.name) LIKE lower($6::text) OR lower(p.sku) LIKE lower($6::text))',
      '(p.updated_at, p.id) < ($7::timestamptz, $8::uuid)',
    ],
    values: ['draft', categoryId, 'Stride', 'SKU-1', '2026-01-01T00:00:00Z', '%run%', key, id],
  });
  t.same(listConditions({ sku: 'GONE-1', status: 'deleted', size: 10 }).conditions, [
    'p.status = $1::text',
    "p.id IN (SELECT o.id FROM products o WHERE o.sku = $2::text AND o.status = 'deleted'" +
      ' UNION ALL SELECT v.product_id FROM product_variants v WHERE v.sku = $2::text)',
  ]);
  const query = buildListQuery({ brand: "O'Brien", size: 10 });
  t.same(query.values, ["O'Brien", 11]);
  t.notMatch(query.text, /O'Brien/, 'input only ever travels as a parameter');
});
