import t from 'tap';
import { loadConfig } from './index.js';

t.test('When nothing is set, then any origin may call and every client is limited', async (t) => {
  const config = loadConfig({});
  t.equal(config.corsOrigins, '*');
  t.equal(config.trustProxy, undefined);
  t.equal(config.rateLimitEnabled, true);
  t.ok(config.rateLimitSearchMax < config.rateLimitReadMax, 'search is the tighter budget');
});

t.test('When origins are listed, then each must be exactly an origin', async (t) => {
  const config = loadConfig({ CORS_ORIGINS: ' https://shop.example.com , http://localhost:5173 ' });
  t.same(config.corsOrigins, ['https://shop.example.com', 'http://localhost:5173']);
  for (const bad of ['https://shop.example.com/', 'shop.example.com', 'ftp://x.example', ',']) {
    t.throws(() => loadConfig({ CORS_ORIGINS: bad }), /CORS_ORIGINS/, bad);
  }
});

t.test('When proxies are trusted, then a hop count or addresses are accepted', async (t) => {
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,::1' }).trustProxy, [
    '10.0.0.0/8',
    'loopback',
    '::1',
  ]);
  for (const bad of ['true', '0', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1']) {
    t.throws(() => loadConfig({ TRUST_PROXY: bad }), /TRUST_PROXY/, bad);
  }
});
