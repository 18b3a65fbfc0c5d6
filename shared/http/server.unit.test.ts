import t from 'tap';
import { createServer, requestIds } from './server.js';
import { Problem } from './problems.js';
import { silentLogger } from '../../test/support/logger.js';

async function buildApp(bodyLimitBytes = 2048) {
  const app = await createServer({
    service: 'test',
    description: 'test',
    logger: silentLogger,
    bodyLimitBytes,
    readinessTimeoutMs: 200,
  });
  app.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', maxLength: 10 },
            attributes: { type: 'object', properties: { size: { type: 'number' } } },
          },
        },
      },
    },
    async (request) => request.body,
  );
  app.get('/conflict', async () => {
    throw new Problem('version_mismatch', 'expected version 3', undefined, { etag: '"4"' });
  });
  app.get('/boom', async () => {
    throw new Error('secret internal detail');
  });
  return app;
}

t.test('When a route is unknown, then 404 problem+json', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json(), { status: 404, code: 'not_found', instance: '/nope?x=1' });
});

t.test('When the body breaks the schema, then 400 lists each field at fault', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/things',
    payload: { name: 'far too long a name', attributes: { size: 'big' }, extra: 1 },
  });
  t.equal(res.statusCode, 400);
  const body = res.json<{ code: string; errors: { field: string; message: string }[] }>();
  t.equal(body.code, 'validation_failed');
  const fields = body.errors.map((e) => e.field).sort();
  t.same(fields, ['body.attributes.size', 'body.extra', 'body.name']);
  t.match(body.errors, [{ field: 'body.extra', message: 'is not a known field' }]);
});

t.test('When the JSON is malformed, then 400 malformed_json', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json' },
    payload: '{"name": "x",',
  });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'malformed_json');
});

t.test('When the body is over the limit, then 413', async (t) => {
  const app = await buildApp(1024);
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'x'.repeat(5000) }),
  });
  t.equal(res.statusCode, 413);
  t.equal(res.json().code, 'payload_too_large');
});

t.test('When the content type is not JSON, then 415', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/xml' },
    payload: '<name>x</name>',
  });
  t.equal(res.statusCode, 415);
  t.equal(res.json().code, 'unsupported_media_type');
});

t.test('When a route throws a Problem, then its status, detail and headers are sent', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/conflict' });
  t.equal(res.statusCode, 409);
  t.equal(res.headers.etag, '"4"');
  t.match(res.json(), { code: 'version_mismatch', detail: 'expected version 3' });
});

t.test('When a route fails unexpectedly, then 500 without internal details', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/boom' });
  t.equal(res.statusCode, 500);
  t.equal(res.json().code, 'internal');
  t.notMatch(res.body, /secret internal detail/);
});

t.test('Readiness reports each check and answers 503 when one is down or slow', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  app.readiness.add('fine', async () => undefined);
  const ok = await app.inject({ method: 'GET', url: '/health/ready' });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { status: 'ready', checks: { fine: { status: 'up' } } });

  app.readiness.add('broken', async () => {
    throw new Error('connection refused');
  });
  app.readiness.add('hanging', () => new Promise<void>(() => undefined));
  const down = await app.inject({ method: 'GET', url: '/health/ready' });
  t.equal(down.statusCode, 503);
  t.match(down.json(), {
    status: 'unready',
    checks: {
      fine: { status: 'up' },
      broken: { status: 'down', error: 'connection refused' },
      hanging: { status: 'down', error: /no answer within 200 ms/ },
    },
  });
  const live = await app.inject({ method: 'GET', url: '/health/live' });
  t.equal(live.statusCode, 200);
});

t.test('Metrics expose request latency by route pattern', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  await app.inject({ method: 'GET', url: '/conflict' });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  t.match(
    res.body,
    /http_request_duration_seconds_count\{service="test",method="GET",route="\/conflict",status_code="409"\} 1/,
  );
  t.match(res.body, /process_cpu_seconds_total/);
});

t.test('OpenAPI is served from the route schemas', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(res.statusCode, 200);
  t.ok(res.json().paths['/things']);
  const ui = await app.inject({ method: 'GET', url: '/docs' });
  t.ok(ui.statusCode === 200 || ui.statusCode === 302);
});

t.test('Errors raised before routing are problem documents too', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  app.get('/items/:id', async () => ({}));
  const badEscape = await app.inject({ method: 'GET', url: '/items/%E0%A4%A' });
  t.equal(badEscape.statusCode, 400);
  t.match(badEscape.headers['content-type'], /application\/problem\+json/);
  const tooLong = await app.inject({ method: 'GET', url: `/items/${'x'.repeat(150)}` });
  t.equal(tooLong.statusCode, 414);
  t.match(tooLong.json(), { status: 414, code: 'validation_failed' });
});

t.test('A context that adds its own schema still rejects unknown parameters', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  await app.register(async (child) => {
    child.addSchema({ $id: 'Extra', type: 'object' });
    child.get(
      '/strict',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { a: { type: 'integer' } },
          },
        },
      },
      async (request) => request.query,
    );
  });
  t.equal((await app.inject({ method: 'GET', url: '/strict?a=1' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/strict?a=1&unknown=2' })).statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: '/strict?a=x' })).statusCode, 400);
});

t.test(
  'When an id is not a canonical lowercase UUID, then 400 (one identity per id)',
  async (t) => {
    const app = await buildApp();
    t.teardown(() => app.close());
    app.get(
      '/ids/:id',
      {
        schema: {
          params: {
            type: 'object',
            properties: { id: { type: 'string', format: 'uuid' } },
          },
        },
      },
      async (request) => request.params,
    );
    const id = '0b4e7a52-6f1d-4c7e-9a0e-3d2f1c5b8a90';
    t.equal((await app.inject({ method: 'GET', url: `/ids/${id}` })).statusCode, 200);
    for (const spelling of [id.toUpperCase(), `urn:uuid:${id}`, `{${id}}`]) {
      const res = await app.inject({ method: 'GET', url: `/ids/${encodeURIComponent(spelling)}` });
      t.equal(res.statusCode, 400, spelling);
      t.match(res.headers['content-type'], /application\/problem\+json/);
    }
  },
);

t.test('When text is not well-formed Unicode, then 400 and the field is named', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  for (const text of ['"a\\ud800"', '"\\udc00b"', '"nul\\u0000"']) {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: `{"name": ${text}}`,
    });
    t.equal(res.statusCode, 400, text);
    t.match(res.json(), { code: 'validation_failed', errors: [{ field: 'body.name' }] });
  }
  const pair = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json' },
    payload: '{"name": "\\ud83d\\ude00"}',
  });
  t.equal(pair.statusCode, 200, 'a surrogate pair is a well-formed character');
});

t.test('When the bytes are not UTF-8 or the charset is another, then 400 / 415', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const invalid = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json' },
    payload: Buffer.concat([Buffer.from('{"name": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
  });
  t.equal(invalid.statusCode, 400);
  t.match(invalid.json(), { code: 'malformed_json', detail: /UTF-8/ });
  const latin1 = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    payload: Buffer.from('{"name": "café"}', 'latin1'),
  });
  t.equal(latin1.statusCode, 415);
  t.match(latin1.headers['content-type'], /application\/problem\+json/);
  const declaredUtf8 = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    payload: '{"name": "café"}',
  });
  t.equal(declaredUtf8.statusCode, 200);
  t.same(declaredUtf8.json(), { name: 'café' });
});

/** Sends raw bytes to a listening app and resolves the whole answer. */
async function rawExchange(port: number, bytes: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => {
      socket.destroy(); // the server ended its side; leave no half-open socket behind
      resolve(answer);
    });
    socket.on('error', reject);
  });
}

t.test('Errors of the HTTP parser are answered as problem documents', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const cases: [string, string, number][] = [
    [
      'bad chunking',
      'POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      400,
    ],
    [
      'TE with CL',
      'POST /things HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    ['bare CR in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400],
    ['oversize headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`, 431],
  ];
  for (const [name, bytes, status] of cases) {
    const answer = await rawExchange(port, bytes);
    t.match(answer, new RegExp(`^HTTP/1.1 ${status} `), name);
    t.match(answer, /content-type: application\/problem\+json/i, name);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { status: number };
    t.equal(body.status, status, name);
  }
});

t.test('A query at its published maximum fits in the request head', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  app.get('/echo', async (request) => ({ length: (request.query as { q: string }).q.length }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const q = encodeURIComponent('語'.repeat(4_096)); // 9 bytes a character once encoded
  const answer = await rawExchange(
    port,
    `GET /echo?q=${q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  t.match(answer, /^HTTP\/1.1 200 /);
  t.match(answer, /"length":4096/);
});

t.test('request ids are unique within a process and across processes', async (t) => {
  const first = requestIds();
  const second = requestIds();
  const ids = Array.from({ length: 1000 }, () => first());
  t.equal(new Set(ids).size, 1000, 'no id repeats within one generator');
  t.match(ids[0], /^[0-9a-f]{8}-1$/);
  t.not(first().split('-')[0], second().split('-')[0], 'each process has its own prefix');
});

t.test('only routes that take a body get the body-charset hook', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const hooks = new Map<string, number>();
  app.addHook('onRoute', (route) => {
    const count = [route.preParsing ?? []].flat().length;
    hooks.set(`${[route.method].flat().join(',')} ${route.url}`, count);
  });
  app.get('/read', async () => ({ ok: true }));
  app.post('/write', async () => ({ ok: true }));
  await app.ready();
  t.equal(hooks.get('GET /read'), 0, 'a GET route has no preParsing hook');
  t.equal(hooks.get('HEAD /read'), 0, 'nor its HEAD twin');
  t.equal(hooks.get('POST /write'), 1, 'a POST route has the charset check');
  const latin1 = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    payload: '{"name":"x"}',
  });
  t.equal(latin1.statusCode, 415, 'a POST with a Latin-1 body is still refused');
});
