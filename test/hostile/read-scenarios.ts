import { baseHeaders, type HostileCase } from './case.js';
import { fillPath, type Operation } from './openapi.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Query strings that combine parameters, for the read routes that take them. */
const COMBINED: Readonly<Record<string, readonly [string, string, boolean?][]>> = {
  '/v1/search': [
    ['minVersion far ahead for a product', 'product={id}&minVersion=1000000000000000', true],
    ['X-Aisle-Min-Version header far ahead', 'product={id}', true],
    ['price_min above price_max', 'price_min=500&price_max=1'],
    ['page with a cursor', 'page=2&cursor=abc'],
    ['page far past the end', 'page=1000000&size=100'],
    ['cursor of a __proto__ object', `cursor=${b64('{"__proto__":{"polluted":1}}')}`],
    ['cursor of JSON null', `cursor=${b64('null')}`],
    ['cursor of an array of 1e400', `cursor=${b64('[1e400,"x"]')}`],
    ['cursor of a lone surrogate', `cursor=${b64('["\\ud800"]')}`],
    ['cursor of invalid UTF-8', `cursor=${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}`],
    ['cursor with another sort', `sort=price_desc&cursor=${b64('[1,"x"]')}`],
    ['every facet named twice', 'facets=brand,brand,category,attr.color,attr.color'],
    ['facets of prototype names', 'facets=__proto__,constructor,attr.__proto__,attr.toString'],
    [
      'attribute filter on every prototype name',
      'attr.constructor=1&attr.toString=2&attr.valueOf=3',
    ],
    [
      'attribute filter repeated 200 times',
      Array.from({ length: 200 }, (_, i) => `attr.color=c${i}`).join('&'),
    ],
    ['range filter on a text attribute', 'attr.color.min=1&attr.color.max=x'],
    ['category by slug and id at once', 'category={id}&category=x'],
    [
      'q of 3,000 distinct words',
      `q=${Array.from({ length: 3_000 }, (_, i) => `w${i}`).join('+')}`,
    ],
    ['q of 2,000 words with typos and synonyms', `q=${'sneakerz+tshirt+'.repeat(1_000)}`],
    ['q of 16,384 characters of one word', `q=${'a'.repeat(16_384)}`],
    [
      'facets of 280 attributes',
      `facets=${Array.from({ length: 280 }, (_, i) => `attr.a${i}`).join(',')}`,
    ],
    [
      'attribute filters on 300 attributes',
      Array.from({ length: 300 }, (_, i) => `attr.a${i}=x`).join('&'),
    ],
    [
      'brand 50 times, each 100 chars',
      Array.from({ length: 50 }, (_, i) => `brand=${`${i}`.padEnd(100, 'b')}`).join('&'),
    ],
  ],
  '/v1/suggest': [
    [
      'q of 3,000 distinct words',
      `q=${Array.from({ length: 3_000 }, (_, i) => `w${i}`).join('+')}`,
    ],
    ['q of 16,384 characters of one word', `q=${'a'.repeat(16_384)}`],
  ],
  '/v1/products/{id}': [['minVersion far ahead', 'minVersion=1000000000000000', true]],
  '/analytics/v1/catalog/changes': [
    ['from after to', 'from=2024-03-08T00:00:00Z&to=2024-03-01T00:00:00Z'],
    [
      'hourly over ten thousand years',
      'interval=hour&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z',
    ],
    ['from equal to to', 'from=2024-03-01T00:00:00Z&to=2024-03-01T00:00:00Z'],
  ],
  '/analytics/v1/products/top': [
    ['from after to', 'from=2024-03-08T00:00:00Z&to=2024-03-01T00:00:00Z'],
    ['ten thousand years', 'from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&limit=100'],
  ],
  '/analytics/v1/products/{id}/price-history': [
    ['from after to', 'from=2024-03-08T00:00:00Z&to=2024-03-01T00:00:00Z'],
    ['offsets far apart', 'from=2024-03-01T00:00:00%2B14:00&to=2024-03-01T00:00:00-12:00'],
  ],
  '/analytics/v1/searches/zero-results': [
    ['ten thousand years', 'from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&limit=100'],
  ],
};

/** Header oddities of the read routes: conditional GETs and freshness tokens. */
const HEADERS: readonly [string, Record<string, string>][] = [
  ['If-None-Match star', { 'if-none-match': '*' }],
  ['If-None-Match of 8,000 chars', { 'if-none-match': `"${'e'.repeat(8_000)}"` }],
  ['If-None-Match list with junk', { 'if-none-match': 'W/"1", "x", ,,' }],
  ['X-Aisle-Min-Version of text', { 'x-aisle-min-version': 'abc' }],
  ['Accept of XML only', { accept: 'application/xml' }],
  ['Accept-Encoding of everything', { 'accept-encoding': 'gzip, br, deflate, zstd, *;q=0' }],
];

/** Combined parameters and header oddities for the GET routes of a read-only service. */
export function readScenarios(ops: readonly Operation[]): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const op of ops.filter((o) => o.method === 'GET')) {
    const combined = COMBINED[op.path] ?? [];
    for (const [label, query, mayWait] of combined) {
      cases.push({
        op,
        label: `scenario: ${label}`,
        build: async (env) => {
          const values = await env.pathValues(op);
          const id = Object.values(values)[0] ?? '00000000-0000-0000-0000-000000000000';
          const headers = label.startsWith('X-Aisle')
            ? { 'x-aisle-min-version': '1000000000000000' }
            : {};
          return {
            method: 'GET',
            url: `${fillPath(op.path, values)}?${query.replaceAll('{id}', id)}`,
            headers: { ...baseHeaders(op, env), ...headers },
            mustReject: false,
            ...(mayWait === true ? { allowUnavailable: true } : {}),
          };
        },
      });
    }
    for (const [label, headers] of HEADERS) {
      cases.push({
        op,
        label: `scenario: ${label}`,
        build: async (env) => ({
          method: 'GET',
          url: fillPath(op.path, await env.pathValues(op)),
          headers: { ...baseHeaders(op, env), ...headers },
          mustReject: false,
        }),
      });
    }
  }
  return cases;
}
