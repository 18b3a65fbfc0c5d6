import t from 'tap';
import { bearerAuthPlugin, tokenMatcher } from './bearer-auth.js';
import { createServer } from './server.js';
import { silentLogger } from '../../test/support/logger.js';

const tokens = ['first-admin-token-000001', 'second-admin-token-00002'];

async function buildApp() {
  const app = await createServer({
    service: 'test',
    description: 'test',
    logger: silentLogger,
    bodyLimitBytes: 1024,
    readinessTimeoutMs: 200,
  });
  await app.register(
    async (admin) => {
      await admin.register(bearerAuthPlugin, { tokens, realm: 'aisle-admin' });
      admin.get('/secret', async () => ({ ok: true }));
    },
    { prefix: '/admin' },
  );
  return app;
}

t.test('tokenMatcher accepts each configured token and nothing else', async (t) => {
  const matches = tokenMatcher(tokens);
  t.ok(matches('first-admin-token-000001'));
  t.ok(matches('second-admin-token-00002'));
  t.notOk(matches('first-admin-token-00000'));
  t.notOk(matches(''));
  t.notOk(tokenMatcher([])('anything'));
});

t.test('When the token is missing or wrong, then 401 with a challenge', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  for (const authorization of [undefined, 'Bearer nope', 'Basic Zmlyc3Q=', 'Bearer ', tokens[0]]) {
    const res = await app.inject({
      method: 'GET',
      url: '/admin/secret',
      headers: authorization === undefined ? {} : { authorization },
    });
    t.equal(res.statusCode, 401, `authorization: ${String(authorization)}`);
    t.equal(res.json().code, 'unauthorized');
    t.equal(res.headers['www-authenticate'], 'Bearer realm="aisle-admin"');
  }
});

t.test('When the token is valid, then the route runs; health stays public', async (t) => {
  const app = await buildApp();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'GET',
    url: '/admin/secret',
    headers: { authorization: `bearer ${tokens[1]}` },
  });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { ok: true });
  const health = await app.inject({ method: 'GET', url: '/health/live' });
  t.equal(health.statusCode, 200);
});
