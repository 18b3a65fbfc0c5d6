import t from 'tap';
import { silentLogger } from '../../test/support/logger.js';
import { withProblems } from './error-schemas.js';
import { Problem } from './problems.js';
import { createServer } from './server.js';

t.test('withProblems adds the problem responses to the success ones', async (t) => {
  const ok = { type: 'object' } as const;
  t.same(withProblems({ 200: ok, 304: { type: 'null' } }), {
    200: ok,
    304: { type: 'null' },
    '4xx': { $ref: 'Problem#' },
    '5xx': { $ref: 'Problem#' },
  });
});

t.test('A route with withProblems documents and serializes its problems', async (t) => {
  const app = await createServer({
    service: 'test',
    description: 'test',
    logger: silentLogger,
    bodyLimitBytes: 1024,
    readinessTimeoutMs: 200,
  });
  t.teardown(() => app.close());
  app.get(
    '/things/:id',
    {
      schema: {
        response: withProblems({
          200: { type: 'object', properties: { id: { type: 'string' } } },
        }),
      },
    },
    async () => {
      throw new Problem('rule_violated', 'no', [{ field: 'price', message: 'too low' }]);
    },
  );
  await app.ready();

  const res = await app.inject({ method: 'GET', url: '/things/1' });
  t.equal(res.statusCode, 422);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json(), {
    code: 'rule_violated',
    status: 422,
    errors: [{ field: 'price', message: 'too low' }],
  });

  const docs = await app.inject({ method: 'GET', url: '/docs/json' });
  const openapi = docs.json<{
    paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    components: { schemas: Record<string, unknown> };
  }>();
  const responses = openapi.paths['/things/{id}']?.get.responses ?? {};
  t.same(Object.keys(responses).sort(), ['200', '4XX', '5XX']);
  const schemaOf = (status: string) => {
    const ref = (
      responses[status] as { content: { 'application/json': { schema: { $ref: string } } } }
    ).content['application/json'].schema.$ref;
    return openapi.components.schemas[ref.replace('#/components/schemas/', '')];
  };
  for (const status of ['4XX', '5XX'])
    t.match(schemaOf(status), { required: ['type', 'title', 'status', 'code'] }, status);
});
