import { randomUUID } from 'node:crypto';
import { typesOf, type Schema } from './openapi.js';
import { bytes, json, value, type HostileValue } from './pieces.js';
import type { Random } from './prng.js';

/**
 * Hostile JSON values for one field, chosen by the field's schema: wrong types, limits and one
 * past them, and text no store should get altered (NUL, lone surrogates, invalid UTF-8, RTL and
 * zero-width marks, astral characters). Labels are ASCII so the TAP stream stays readable.
 */
export function hostileValues(schema: Schema, rng: Random, knownId?: string): HostileValue[] {
  const types = typesOf(schema);
  const values: HostileValue[] = [...wrongTypes(types)];
  if (schema.enum !== undefined) values.push(...enumValues(schema));
  if (types.includes('string')) values.push(...stringValues(schema, rng, knownId));
  if (types.includes('integer') || types.includes('number')) values.push(...numberValues(schema));
  if (types.includes('boolean')) values.push(value('string "true"', 'true'), value('1', 1));
  if (types.includes('array')) values.push(...arrayValues(schema));
  if (types.includes('object')) values.push(...objectValues(schema));
  if (schema.anyOf !== undefined) values.push(...anyOfValues(schema, rng));
  return values;
}

function wrongTypes(types: readonly string[]): HostileValue[] {
  const all: [string, HostileValue][] = [
    ['string', value('a string', 'x')],
    ['integer', value('an integer', 7)],
    ['boolean', value('a boolean', true)],
    ['null', value('null', null)],
    ['array', value('an array of a string', ['x'])],
    ['object', value('an object', { x: 'y' })],
  ];
  const numeric = types.includes('number') || types.includes('integer');
  return all
    .filter(([type]) => !types.includes(type) && !(type === 'integer' && numeric))
    .map(([, v]) => v);
}

function enumValues(schema: Schema): HostileValue[] {
  const [first = ''] = (schema.enum ?? []).map((v) => JSON.stringify(v).replace(/^"|"$/g, ''));
  return [
    value('enum value upper-cased', first.toUpperCase()),
    value('enum value with a trailing space', `${first} `),
    value('enum value "__proto__"', '__proto__'),
    value('enum value "constructor"', 'constructor'),
    value('enum value in an array', [first]),
  ];
}

/** Text every string field gets, whatever its format. */
export const CORE_TEXTS: readonly HostileValue[] = [
  value('empty string', ''),
  value('NUL inside', 'a\u0000b', true),
  json('lone high surrogate escape', '"x\\ud800y"', true),
  bytes('invalid UTF-8 byte 0xFF', [0xff]),
  value('RTL override', '\u202eevil\u202c txt'),
  value(
    'emoji ZWJ sequence and flag',
    '\u{1f469}\u200d\u{1f469}\u200d\u{1f467} \u{1f1fa}\u{1f1f3}',
  ),
  value('text "constructor"', 'constructor'),
  value('huge string (100,000 chars)', 'x'.repeat(100_000)),
];

/** More text of the same kinds; each field gets a seeded sample of these. */
export const MORE_TEXTS: readonly HostileValue[] = [
  value('whitespace only', ' \t '),
  json('lone low surrogate escape', '"\\udc00"', true),
  json('reversed surrogate pair escape', '"\\udc00\\ud800"', true),
  json('valid surrogate pair escape', '"\\ud83d\\ude00"'),
  bytes('overlong UTF-8 C0 AF', [0xc0, 0xaf]),
  bytes('UTF-8-encoded surrogate ED A0 80', [0xed, 0xa0, 0x80]),
  bytes('truncated UTF-8 sequence E2 82', [0xe2, 0x82]),
  bytes('UTF-8 past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]),
  bytes('latin-1 e-acute byte 0xE9', [0xe9]),
  value('zero-width characters', 'a\u200b\u200c\u200d\u2060\ufeffb'),
  value('combining marks pile', `Z${'\u0301\u0336'.repeat(40)}`),
  value('line and paragraph separators', 'a\u2028b\u2029c'),
  value('control characters', 'a\u0001\u001f\u007f\u0085b'),
  value('noncharacters U+FFFE U+FFFF U+10FFFF', '\ufffe\uffff\u{10ffff}'),
  value('replacement character itself', 'a\ufffdb'),
  value('CR LF and tab', 'a\r\nb\tc'),
  value('text "__proto__"', '__proto__'),
  value('text "toString"', 'toString'),
  value('SQL injection', "'; DROP TABLE products; --"),
  value('search DSL as text', '{"query":{"match_all":{}}}'),
  value('percent-escape text', '%00%ff'),
  value('fullwidth letters', '\uff21\uff22\uff23'),
];

/** How many of MORE_TEXTS each string field gets. */
const SAMPLED_TEXTS = 5;

/** `count` distinct items, chosen by the seeded generator. */
export function sample<T>(rng: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    chosen.push(pool.splice(rng.int(0, pool.length - 1), 1)[0] as T);
  }
  return chosen;
}

function stringValues(schema: Schema, rng: Random, knownId?: string): HostileValue[] {
  const values = [...CORE_TEXTS, ...sample(rng, MORE_TEXTS, SAMPLED_TEXTS)];
  // An existing id in another spelling: refused or normalized, never a second identity.
  if (schema.format === 'uuid') values.push(...idSpellings(knownId ?? randomUUID()));
  if (schema.format === 'date-time') values.push(...dateTimeValues());
  if (schema.format === 'uri') values.push(...uriValues());
  const max = schema.maxLength;
  if (max !== undefined) {
    values.push(
      value(`exactly maxLength (${max}) ASCII`, 'x'.repeat(max)),
      value(`maxLength + 1 ASCII`, 'x'.repeat(max + 1)),
      value(`exactly maxLength astral characters`, '\u{1f600}'.repeat(max)),
      value(`maxLength + 1 astral characters`, '\u{1f600}'.repeat(max + 1)),
    );
  }
  if (schema.pattern !== undefined) {
    values.push(value('pattern text with a trailing newline', 'abc\n'));
    values.push(value('dotless capital I and sharp s', '\u0130\u00df'));
  }
  values.push(randomText(rng, 0));
  return values;
}

/** Every wrong spelling of an id the API must refuse or normalize (API.md, ids). */
export function idSpellings(id: string): HostileValue[] {
  const bare = id.replace(/-/g, '');
  return [
    value('id upper-cased', id.toUpperCase()),
    value('id in braces', `{${id}}`),
    value('id as urn:uuid:', `urn:uuid:${id}`),
    value('id without hyphens', bare),
    value('id one character too long', `${id}0`),
    value('id one character short', id.slice(0, -1)),
    value('id with surrounding spaces', ` ${id} `),
    value('id with a trailing newline', `${id}\n`),
    value(
      'id in fullwidth digits',
      id.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + +d)),
    ),
    value('nil uuid', '00000000-0000-0000-0000-000000000000'),
    value('max uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    value('unknown canonical uuid', randomUUID()),
    value('id "__proto__"', '__proto__'),
  ];
}

export const DATE_TIMES: readonly string[] = [
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '+275760-09-13T00:00:00Z',
  '2024-03-01t00:00:00z',
  '2024-03-01T00:00:00',
  '2024-03-01T00:00:00+14:00',
  '2024-03-01T00:00:00-23:59',
  '2024-03-01 00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2024-03-01',
  'now',
];

function dateTimeValues(): HostileValue[] {
  return DATE_TIMES.map((d) => value(`date-time ${d}`, d));
}

function uriValues(): HostileValue[] {
  return [
    value('javascript: uri', 'javascript:alert(1)'),
    value('relative uri', '/images/x.jpg'),
    value('unterminated IPv6 host', 'http://[::1'),
    value('unicode host', 'https://\u4f8b\u3048.jp/\u00fc.jpg'),
    value('data: uri', 'data:text/html;base64,PHNjcmlwdD4='),
    value('uri with spaces', 'https://cdn.example.com/a b.jpg'),
  ];
}

function numberValues(schema: Schema): HostileValue[] {
  const min = schema.minimum ?? -1e15;
  const max = schema.maximum ?? 1e15;
  const values = [
    value(`minimum (${min})`, min),
    value(`maximum (${max})`, max),
    value('minimum - 1', min - 1),
    value('maximum + 1', max + 1),
    value('zero', 0),
    value('minus one', -1),
    value('a float', 1.5),
    json('negative zero', '-0'),
    json('1e400 (Infinity once parsed)', '1e400', true),
    json('-1e400 (-Infinity once parsed)', '-1e400', true),
    json('1E2 exponent form', '1E2'),
    json('1.0', '1.0'),
    json('2^53 + 1', '9007199254740993'),
    json('30-digit integer', '123456789012345678901234567890'),
    json('NaN literal (not JSON)', 'NaN', true),
    json('hex literal (not JSON)', '0x10', true),
    value('numeric string', '1'),
    value('string "NaN"', 'NaN'),
    value('array of a number', [1]),
  ];
  if (typesOf(schema).includes('number')) {
    values.push(value('1e308', 1e308), value('smallest denormal', 5e-324), value('0.1', 0.1));
  }
  return values;
}

function arrayValues(schema: Schema): HostileValue[] {
  const item = schema.items?.enum?.[0] ?? 'x';
  const max = schema.maxItems ?? 100;
  return [
    value('empty array', []),
    value(
      `maxItems + 1 items`,
      Array.from({ length: max + 1 }, () => item),
    ),
    value(
      '10,000 items',
      Array.from({ length: 10_000 }, () => item),
    ),
    value('array of arrays', [[item]]),
    value('array with null', [null]),
    value('duplicated items', [item, item]),
  ];
}

function objectValues(schema: Schema): HostileValue[] {
  const values = [
    value('empty object', {}),
    json('"__proto__" key', '{"__proto__":{"polluted":true}}', true),
    json('"constructor.prototype" key', '{"constructor":{"prototype":{"polluted":true}}}', true),
    json('duplicate keys', '{"a":"1","a":"2"}'),
    json('lone surrogate key', '{"\\ud800":"x"}', true),
    value('NUL key', { 'a\u0000': 'x' }, true),
    value('empty key', { '': 'x' }),
    value('10,000-char key', { ['k'.repeat(10_000)]: 'x' }),
  ];
  const max = schema.maxProperties;
  if (max !== undefined) {
    const many = Object.fromEntries(Array.from({ length: max + 1 }, (_, i) => [`k${i}`, 'x']));
    values.push(value('maxProperties + 1 keys', many));
  }
  if (schema.additionalProperties === false) {
    values.push(value('an unknown field', { unknownField: 1 }));
  }
  return values;
}

function anyOfValues(schema: Schema, rng: Random): HostileValue[] {
  // A union (an attribute value): each branch's values that must be refused, and a sample.
  return (schema.anyOf ?? []).flatMap((branch) => {
    const all = hostileValues(branch, rng).filter((v) => !/huge|10,000|seeded/.test(v.label));
    const refused = all.filter((v) => v.mustReject === true);
    const chosen = [
      ...refused,
      ...sample(
        rng,
        all.filter((v) => v.mustReject !== true),
        6,
      ),
    ];
    return chosen.map((v) => ({ ...v, label: `anyOf ${typesOf(branch).join('|')}: ${v.label}` }));
  });
}

/**
 * Values every field gets when it applies: the ones that broke the platform before (issue 11)
 * and the limits. The rest of the catalogue is sampled per field with the seed.
 */
const ESSENTIAL = new Set([
  'null',
  'NUL inside',
  'lone high surrogate escape',
  'invalid UTF-8 byte 0xFF',
  'huge string (100,000 chars)',
  'text "constructor"',
  'maxLength + 1 ASCII',
  'exactly maxLength astral characters',
  'id upper-cased',
  'id in braces',
  'id as urn:uuid:',
  'minimum - 1',
  'maximum + 1',
  'a float',
  '1e400 (Infinity once parsed)',
  'maxItems + 1 items',
  '"__proto__" key',
  'an unknown field',
  'key "constructor"',
  'key "toString"',
  'key "__proto__"',
]);

/** The essential values of a field's catalogue and `extra` more, chosen by the seed. */
export function budgeted(
  values: readonly HostileValue[],
  rng: Random,
  extra: number,
): HostileValue[] {
  const essential = values.filter((v) => ESSENTIAL.has(v.label) || v.label.startsWith('anyOf'));
  const rest = values.filter((v) => !essential.includes(v));
  const chosen = new Set([...essential, ...sample(rng, rest, extra)]);
  return values.filter((v) => chosen.has(v));
}

/** Fragments mixed by the seeded generator into random text. */
const FRAGMENTS: readonly string[] = [
  'a',
  'Z',
  '0',
  ' ',
  '\u00e9',
  '\u0301',
  '\u202e',
  '\u200d',
  '\ufeff',
  '\u{1f600}',
  '\u{1f3f3}\ufe0f\u200d\u{1f308}',
  '\u05d0',
  '\u0627',
  '\u4e2d',
  '"',
  '\\',
  '<script>',
  '%',
  '\u2028',
  '\t',
  '\u00a0',
];

function randomText(rng: Random, index: number): HostileValue {
  const length = rng.int(1, 24);
  const text = Array.from({ length }, () => rng.pick(FRAGMENTS)).join('');
  return value(`seeded random text #${index + 1}`, text);
}
