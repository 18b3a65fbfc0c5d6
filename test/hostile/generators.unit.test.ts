// The pure parts of the hostile suite: a seed repeats a run, bodies carry their hostile bytes
// exactly, and read-back finds every alteration.
import t from 'tap';
import { fieldsOf } from './body-cases.js';
import { operationsOf, type Schema } from './openapi.js';
import { bodyWith, bytes, json } from './pieces.js';
import { DEFAULT_SEED, seedFromEnv, seededRandom } from './prng.js';
import { canonicalId, differences, expectedStored } from './read-back.js';
import { bodyBreaksContract, parameterBreaksSchema } from './schema-check.js';
import { fitsString, validValue, type Fixtures } from './valid.js';

const fixtures: Fixtures = { idForField: () => undefined, unique: () => 7 };

t.test('a seed repeats its sequence; HOSTILE_SEED chooses it', async (t) => {
  const draw = (seed: number) => {
    const rng = seededRandom(seed);
    return Array.from({ length: 5 }, () => rng.int(0, 1000));
  };
  t.same(draw(42), draw(42));
  t.not(draw(42).join(), draw(43).join());
  t.equal(seedFromEnv({}), DEFAULT_SEED);
  t.equal(seedFromEnv({ HOSTILE_SEED: '12345' }), 12345);
  t.throws(() => seedFromEnv({ HOSTILE_SEED: 'abc' }));
});

t.test('a body carries the hostile piece as text or bytes, exactly where it goes', async (t) => {
  const base = { sku: 'A1', price: { amountMinor: 1, currency: 'EUR' } };
  t.equal(
    bodyWith(base, ['price', 'currency'], json('lone', '"\\ud800"').piece).toString(),
    '{"sku":"A1","price":{"amountMinor":1,"currency":"\\ud800"}}',
  );
  const raw = bodyWith(base, ['sku'], bytes('ff', [0xff]).piece);
  t.same([...raw.subarray(0, 12)], [...Buffer.from('{"sku":"ab'), 0xff, 0x63]);
  t.equal(
    bodyWith(base, ['sku'], { kind: 'absent' }).toString(),
    '{"price":{"amountMinor":1,"currency":"EUR"}}',
  );
  t.equal(bodyWith(base, [], { kind: 'value', value: [1] }).toString(), '[1]');
  t.same(
    base,
    { sku: 'A1', price: { amountMinor: 1, currency: 'EUR' } },
    'the base is not changed',
  );
});

t.test(
  'valid values satisfy length and pattern; fields include map entries and items',
  async (t) => {
    const sku: Schema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$' };
    const currency: Schema = { type: 'string', pattern: '^[A-Z]{3}$' };
    t.ok(fitsString(sku, String(validValue(sku, fixtures))));
    t.equal(validValue(currency, fixtures), 'EUR');
    t.equal(
      validValue({ type: 'integer', minimum: -5, maximum: 5, not: { enum: [0] } }, fixtures),
      1,
    );
    const body: Schema = {
      type: 'object',
      properties: {
        stock: {
          type: 'object',
          propertyNames: { pattern: '^[a-z]+$' },
          additionalProperties: { type: 'integer' },
        },
        images: { type: 'array', items: { type: 'string' } },
      },
    };
    t.same(
      fieldsOf(body, fixtures).map((f) => f.path.join('.')),
      ['stock', 'stock.h', 'images', 'images.0'],
    );
  },
);

t.test('read-back finds every alteration and allows only the canonical id', async (t) => {
  t.same(differences({ name: 'caf\u00e9' }, { name: 'caf\ufffd', extra: 1 }), [
    '.name: sent "caf\\u00e9", read "caf\\ufffd"',
  ]);
  t.same(differences({ a: [1, 2] }, { a: [1] }), ['.a: sent [1,2], read [1]']);
  t.same(differences({ n: -0, m: 1.0 }, { n: 0, m: 1 }), []);
  t.same(differences({ brand: null }, {}), [], 'null reads as absent');
  t.same(differences({ k: 'x' }, { k: 'x'.slice(0, 0) }).length, 1, 'truncation is a difference');
  const id = '6f1c2f9e-8f5a-4c1e-9b7a-1d2e3f4a5b6c';
  t.equal(canonicalId(`urn:uuid:${id.toUpperCase()}`), id);
  t.equal(canonicalId(`{${id}}`), id);
  const schema: Schema = {
    type: 'object',
    properties: { categoryId: { type: 'string', format: 'uuid' } },
  };
  t.same(expectedStored({ categoryId: id.toUpperCase(), name: id.toUpperCase() }, schema), {
    categoryId: id,
    name: id.toUpperCase(),
  });
});

t.test('the contract: schema breaches, ill-formed text, and parameters as text', async (t) => {
  const schema: Schema = {
    type: 'object',
    additionalProperties: false,
    properties: { name: { type: 'string', maxLength: 3 }, n: { type: 'number' } },
  };
  t.notOk(bodyBreaksContract(schema, { name: 'abc' }));
  t.ok(bodyBreaksContract(schema, { name: 'abcd' }));
  t.ok(bodyBreaksContract(schema, { name: 'a\u0000' }));
  t.ok(bodyBreaksContract(schema, { name: '\ud800' }));
  t.ok(bodyBreaksContract(schema, { n: Infinity }));
  t.ok(bodyBreaksContract(schema, { other: 1 }));
  const size: Schema = { type: 'integer', minimum: 1, maximum: 100 };
  t.equal(parameterBreaksSchema(size, ['100']), false);
  t.equal(parameterBreaksSchema(size, ['101']), true);
  t.equal(parameterBreaksSchema(size, ['1.5']), true);
  t.equal(parameterBreaksSchema(size, ['1', '2']), true);
  t.equal(parameterBreaksSchema(size, ['%201']), undefined, 'escaped text is not judged');
});

t.test('operations come from the document, health and docs left out', async (t) => {
  const ops = operationsOf({
    security: [],
    paths: {
      '/health/live': { get: {} },
      '/v1/things/{id}': {
        get: { parameters: [{ in: 'path', name: 'id', schema: { type: 'string' } }] },
        post: {
          security: [{ bearer: [] }],
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  });
  t.same(
    ops.map((o) => [
      o.method,
      o.path,
      o.secured,
      o.body?.contentTypes ?? null,
      o.parameters.length,
    ]),
    [
      ['GET', '/v1/things/{id}', false, null, 1],
      ['POST', '/v1/things/{id}', true, ['application/json'], 0],
    ],
  );
  t.equal(ops[0]?.parameters[0]?.required, true, 'a path parameter is always required');
});
