// Hostile bytes on a socket against a listening catalog-write (see README.md in this folder):
// what inject() cannot send — raw non-UTF-8 bytes in the request line and headers, broken
// framing, Expect, chunked bodies that split a character — each answered as problem+json, never
// a 5xx, and a refused write stores nothing.
import t from 'tap';
import { ADMIN_TOKEN, writeHarness } from '../support/catalog-write.js';
import { chunked, exchange, head, parseAnswers } from './raw-http.js';
import { answerProblems } from './runner.js';
import { changedTables, writeModelProbe } from './write-model.js';

interface RawCase {
  readonly label: string;
  readonly bytes: (n: number) => Buffer;
  /** Statuses the first answer may have; default: any 4xx. */
  readonly expect?: readonly number[];
  /** The connection may also be closed without an answer (the request never completed). */
  readonly mayClose?: boolean;
}

const harness = await writeHarness(t);
await harness.app.listen({ host: '127.0.0.1', port: 0 });
const address = harness.app.server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;
const fingerprint = await writeModelProbe(harness.pool, harness.config.databaseSchema);

const AUTH = `Authorization: Bearer ${ADMIN_TOKEN}`;
const PRODUCTS = '/admin/v1/products';
const product = (n: number, name = 'Raw') => Buffer.from(JSON.stringify({ sku: `RAW-${n}`, name }));
const post = (path: string, headers: string[], body: Buffer) =>
  Buffer.concat([
    head(`POST ${path} HTTP/1.1`, ['Host: x', 'Connection: close', AUTH, ...headers]),
    body,
  ]);
const json = (body: Buffer, extra: string[] = []) =>
  post(
    PRODUCTS,
    ['Content-Type: application/json', `Content-Length: ${body.length}`, ...extra],
    body,
  );
/** The product body with `bytes` inside its name. */
const withNameBytes = (n: number, bytes: number[]) =>
  Buffer.concat([
    Buffer.from(`{"sku":"RAW-${n}","name":"a`),
    Buffer.from(bytes),
    Buffer.from('b"}'),
  ]);
const get = (target: string, headers: string[] = []) =>
  head(`GET ${target} HTTP/1.1`, ['Host: x', 'Connection: close', AUTH, ...headers]);
const bytesLine = (prefix: string, bytes: number[], suffix: string) =>
  Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(bytes), Buffer.from(suffix, 'latin1')]);

const cases: RawCase[] = [
  {
    label: 'raw 0xFF in the path',
    bytes: () =>
      Buffer.concat([
        bytesLine(`GET ${PRODUCTS}/`, [0xff, 0xfe], ' HTTP/1.1\r\n'),
        Buffer.from(`Host: x\r\nConnection: close\r\n${AUTH}\r\n\r\n`),
      ]),
  },
  {
    label: 'raw 0xFF in the query',
    bytes: () =>
      Buffer.concat([
        bytesLine(`GET ${PRODUCTS}?q=`, [0xff], ' HTTP/1.1\r\n'),
        Buffer.from(`Host: x\r\nConnection: close\r\n${AUTH}\r\n\r\n`),
      ]),
  },
  {
    label: 'raw UTF-8 (not escaped) in the query',
    bytes: () =>
      Buffer.concat([
        Buffer.from(`GET ${PRODUCTS}?q=`),
        Buffer.from('caf\u00e9 \u{1f600}'),
        Buffer.from(` HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${AUTH}\r\n\r\n`),
      ]),
    expect: [200, 400],
  },
  { label: 'NUL in a header value', bytes: () => get(PRODUCTS, ['X-A: a\u0000b']) },
  { label: 'bare CR in a header value', bytes: () => get(PRODUCTS, ['X-A: a\rb']) },
  {
    label: 'obs-fold header continuation',
    bytes: () => get(PRODUCTS, ['X-A: a', ' b']),
    expect: [200, 400],
  },
  { label: 'space before the colon', bytes: () => get(PRODUCTS, ['Content-Length : 0']) },
  { label: 'invalid character in a header name', bytes: () => get(PRODUCTS, ['X(A): b']) },
  {
    label: 'latin-1 byte in the Idempotency-Key',
    bytes: (n) => json(product(n), ['Idempotency-Key: k\u00ff']),
  },
  {
    label: 'latin-1 byte in an unknown header',
    bytes: (n) => json(product(n), ['X-Pad: \u00ff']),
    expect: [201],
  },
  {
    label: 'latin-1 byte after the bearer token',
    bytes: () =>
      head(`GET ${PRODUCTS} HTTP/1.1`, [
        'Host: x',
        'Connection: close',
        `Authorization: Bearer ${ADMIN_TOKEN}\u00ff`,
      ]),
    expect: [401],
  },
  { label: 'lower-case method', bytes: () => head(`get ${PRODUCTS} HTTP/1.1`, ['Host: x', AUTH]) },
  { label: 'unknown method', bytes: () => head(`BREW ${PRODUCTS} HTTP/1.1`, ['Host: x', AUTH]) },
  {
    label: 'absolute-form target of another host',
    bytes: () => get(`http://evil.example${PRODUCTS}`),
    expect: [200, 400, 404],
  },
  {
    label: 'HTTP/1.0 without Host',
    bytes: () => head(`GET ${PRODUCTS} HTTP/1.0`, [AUTH]),
    expect: [200, 400],
  },
  {
    label: 'HTTP/2 preface on HTTP/1',
    bytes: () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  },
  {
    label: '20 KB request target',
    bytes: () => get(`${PRODUCTS}?q=${'a'.repeat(20_000)}`),
    expect: [400, 414, 431],
  },
  {
    label: 'two different Content-Lengths',
    bytes: (n) => json(product(n), [`Content-Length: ${product(n).length + 1}`]),
  },
  {
    label: 'Content-Length over the body, then the end',
    bytes: (n) =>
      post(PRODUCTS, ['Content-Type: application/json', 'Content-Length: 500'], product(n)),
    mayClose: true,
  },
  {
    label: 'Content-Length under the body',
    bytes: (n) =>
      post(PRODUCTS, ['Content-Type: application/json', 'Content-Length: 5'], product(n)),
  },
  {
    label: 'negative Content-Length',
    bytes: (n) =>
      post(PRODUCTS, ['Content-Type: application/json', 'Content-Length: -1'], product(n)),
  },
  {
    label: 'Transfer-Encoding with Content-Length',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked'],
        chunked([product(n)]),
      ),
  },
  {
    label: 'Transfer-Encoding gzip, chunked',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: gzip, chunked'],
        chunked([product(n)]),
      ),
    // Node passes an unknown coding before chunked through (RFC 9112 says 501): bytes that
    // are not gzip are read as they are, real gzip is not JSON (400). Nothing is misread.
    expect: [201, 400, 415, 501],
  },
  {
    label: 'chunked, valid',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        chunked([product(n)]),
      ),
    expect: [201],
  },
  {
    label: 'chunked, an emoji split between chunks',
    bytes: (n) => {
      const b = product(n, '\u{1f600}');
      const cut = b.indexOf(0xf0) + 2;
      return post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        chunked([b.subarray(0, cut), b.subarray(cut)]),
      );
    },
    expect: [201],
  },
  {
    label: 'chunked, invalid UTF-8 in the name',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        chunked([withNameBytes(n, [0xc3]), Buffer.from(' ')]),
      ),
  },
  {
    label: 'chunked, a chunk size of 16 hex digits',
    bytes: () =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        Buffer.from('ffffffffffffffff\r\n{}\r\n0\r\n\r\n'),
      ),
    mayClose: true,
  },
  {
    label: 'chunked, a chunk extension',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        Buffer.from(
          `${product(n).length.toString(16)};ext="1"\r\n${product(n).toString()}\r\n0\r\n\r\n`,
        ),
      ),
    expect: [201],
  },
  {
    label: 'chunked, a trailer with NUL',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
        Buffer.from(
          `${product(n).length.toString(16)}\r\n${product(n).toString()}\r\n0\r\nX-T: a\u0000\r\n\r\n`,
        ),
      ),
  },
  {
    label: 'chunked import declared iso-8859-1',
    bytes: () =>
      post(
        '/admin/v1/imports',
        ['Content-Type: application/x-ndjson; charset=iso-8859-1', 'Transfer-Encoding: chunked'],
        chunked([Buffer.from('{"sku":"L1","name":"caf\u00e9"}\n', 'latin1')]),
      ),
    expect: [415],
  },
  {
    label: 'chunked JSON declared latin1',
    bytes: (n) =>
      post(
        PRODUCTS,
        ['Content-Type: application/json; charset=latin1', 'Transfer-Encoding: chunked'],
        chunked([product(n)]),
      ),
    expect: [415],
  },
  {
    label: 'invalid UTF-8 with a correct Content-Length',
    bytes: (n) => json(withNameBytes(n, [0xed, 0xa0, 0x80])),
    expect: [400],
  },
  {
    label: 'Expect: 100-continue',
    bytes: (n) => json(product(n), ['Expect: 100-continue']),
    expect: [100, 201],
  },
  {
    label: 'Expect of something else',
    bytes: (n) => json(product(n), ['Expect: teapot']),
    expect: [417],
  },
  {
    label: 'Content-Encoding gzip on plain JSON',
    bytes: (n) => json(product(n), ['Content-Encoding: gzip']),
    expect: [201, 400, 415],
  },
  {
    label: 'a second request smuggled in the body',
    bytes: (n) => {
      const smuggled = `GET ${PRODUCTS} HTTP/1.1\r\nHost: x\r\n\r\n`;
      return post(
        PRODUCTS,
        ['Content-Type: application/json', `Content-Length: ${product(n).length}`],
        Buffer.concat([product(n), Buffer.from(smuggled)]),
      );
    },
    expect: [201],
  },
];

t.comment(`hostile raw HTTP: ${cases.length} cases against a listening catalog-write`);
// In a subtest: tap ends a file whose top level only awaits a socket between assertions.
await t.test(`raw HTTP against a listening catalog-write (${cases.length} cases)`, async (t) => {
  let n = 0;
  for (const c of cases) {
    n++;
    const before = await fingerprint();
    const raw = await exchange(port, c.bytes(n), c.mayClose === true ? 1_000 : 10_000);
    const problems: string[] = [];
    let answers: ReturnType<typeof parseAnswers> = [];
    try {
      answers = parseAnswers(raw);
    } catch (error) {
      problems.push(String(error));
    }
    if (answers.length === 0 && c.mayClose !== true && problems.length === 0)
      problems.push('no answer');
    const first = answers[0];
    for (const answer of answers) {
      if (answer.statusCode === 100) continue;
      const expected = answer === first || first?.statusCode === 100 ? c.expect : undefined;
      problems.push(
        ...answerProblems(
          {
            method: 'POST',
            mustReject: expected === undefined,
            ...(expected === undefined ? {} : { expectStatus: expected }),
          },
          answer,
        ),
      );
    }
    const refused = answers.every((a) => a.statusCode >= 400 || a.statusCode === 100);
    if (refused) {
      const changed = changedTables(before, await fingerprint());
      if (changed.length > 0) problems.push(`refused but changed ${changed.join(', ')}`);
    }
    t.same(problems, [], `${c.label} (${answers.map((a) => a.statusCode).join(', ') || 'closed'})`);
  }
  t.ok(cases.length >= 30, 'every transport oddity was sent');
});
