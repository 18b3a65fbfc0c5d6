import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { createServer } from '../../../shared/http/server.js';
import { projectPath } from '../../../shared/paths.js';
import type { Teardowns } from '../../../test/support/isolation.js';
import { silentLogger } from '../../../test/support/logger.js';
import { chooseEncoding, makeAsset, notModified, pinAssetLinks } from './assets.js';
import {
  PAGE_CACHE_CONTROL,
  PINNED_ASSET_CACHE_CONTROL,
  STOREFRONT_DIR,
  storefrontPlugin,
} from './plugin.js';

async function storefront(t: Teardowns): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(storefrontPlugin);
  t.teardown(() => app.close());
  return app;
}

const versionIn = (html: string, path: string): string =>
  new RegExp(`"${path}\\?v=([\\w-]+)"`).exec(html)?.[1] ?? '';

t.test('GET / is the page, linking each asset by its content version', async (t) => {
  const app = await storefront(t);
  const page = await app.inject({ method: 'GET', url: '/?q=shoe&brand=Stride' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(page.headers['cache-control'], PAGE_CACHE_CONTROL);
  t.match(page.headers['content-security-policy'], /default-src 'self'/);
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.equal(page.headers['vary'], 'accept-encoding');
  const script = readFileSync(join(STOREFRONT_DIR, 'app.js'));
  t.equal(versionIn(page.body, '/storefront/app.js'), makeAsset(script, '').version);
  t.not(versionIn(page.body, '/storefront/app.css'), '');

  const again = await app.inject({
    method: 'GET',
    url: '/',
    headers: { 'if-none-match': String(page.headers.etag) },
  });
  t.equal(again.statusCode, 304, 'revalidates with its ETag');
  t.equal(again.body, '');
  t.equal(again.headers.etag, page.headers.etag);

  const head = await app.inject({ method: 'HEAD', url: '/' });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '');
});

t.test('assets: cached for a year under their version, briefly otherwise', async (t) => {
  const app = await storefront(t);
  const page = (await app.inject({ method: 'GET', url: '/' })).body;
  const version = versionIn(page, '/storefront/app.js');
  const pinned = await app.inject({ method: 'GET', url: `/storefront/app.js?v=${version}` });
  t.equal(pinned.statusCode, 200);
  t.match(pinned.headers['content-type'], /^text\/javascript/);
  t.equal(pinned.headers['cache-control'], PINNED_ASSET_CACHE_CONTROL);
  t.equal(pinned.headers.etag, `"${version}"`);
  t.equal(pinned.body, readFileSync(join(STOREFRONT_DIR, 'app.js'), 'utf8'));

  for (const url of ['/storefront/app.js', '/storefront/app.js?v=an-older-release']) {
    const loose = await app.inject({ method: 'GET', url });
    t.equal(loose.headers['cache-control'], PAGE_CACHE_CONTROL, `${url}: not pinned`);
  }
  const css = await app.inject({ method: 'GET', url: '/storefront/app.css' });
  t.match(css.headers['content-type'], /^text\/css/);
  t.equal((await app.inject({ method: 'GET', url: '/storefront/other.js' })).statusCode, 404);
});

t.test('compressed once, served by Accept-Encoding, each encoding its own tag', async (t) => {
  const app = await storefront(t);
  const plain = await app.inject({ method: 'GET', url: '/storefront/app.js' });
  const br = await app.inject({
    method: 'GET',
    url: '/storefront/app.js',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  });
  t.equal(br.headers['content-encoding'], 'br');
  t.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body);
  t.ok(br.rawPayload.length < plain.rawPayload.length / 2, 'well compressed');
  const gzip = await app.inject({
    method: 'GET',
    url: '/storefront/app.js',
    headers: { 'accept-encoding': 'br;q=0, gzip' },
  });
  t.equal(gzip.headers['content-encoding'], 'gzip');
  t.equal(gunzipSync(gzip.rawPayload).toString(), plain.body);
  t.equal(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size, 3);

  const revalidated = await app.inject({
    method: 'GET',
    url: '/storefront/app.js',
    headers: { 'accept-encoding': 'gzip', 'if-none-match': `W/${String(br.headers.etag)}` },
  });
  t.equal(revalidated.statusCode, 304, 'any tag of the same content matches');
});

t.test('chooseEncoding', async (t) => {
  t.equal(chooseEncoding(undefined), 'identity');
  t.equal(chooseEncoding(''), 'identity');
  t.equal(chooseEncoding('gzip, deflate, br, zstd'), 'br');
  t.equal(chooseEncoding('GZIP'), 'gzip');
  t.equal(chooseEncoding('br;q=0, gzip;q=0.5'), 'gzip');
  t.equal(chooseEncoding('br;q=0, gzip;q=0'), 'identity');
  t.equal(chooseEncoding('deflate'), 'identity');
});

t.test('notModified', async (t) => {
  const asset = makeAsset(Buffer.from('body'), 'text/plain');
  t.equal(notModified(undefined, asset), false);
  t.equal(notModified('"other"', asset), false);
  t.equal(notModified(asset.etags.identity, asset), true);
  t.equal(notModified(`"other", ${asset.etags.gzip}`, asset), true);
  t.equal(notModified(`W/${asset.etags.br}`, asset), true);
  t.equal(notModified('*', asset), true);
});

t.test('pinAssetLinks refuses a page that does not link an asset', async (t) => {
  const asset = makeAsset(Buffer.from('x'), 'text/javascript');
  t.equal(
    pinAssetLinks('<script src="/a.js"></script>', { '/a.js': asset }),
    `<script src="/a.js?v=${asset.version}"></script>`,
  );
  t.throws(() => pinAssetLinks('<p></p>', { '/a.js': asset }), /does not link \/a\.js/);
});

t.test('the plugin does not start without its files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-'));
  writeFileSync(join(dir, 'index.html'), '<p>no links</p>');
  writeFileSync(join(dir, 'app.js'), '');
  writeFileSync(join(dir, 'app.css'), '');
  const app = Fastify();
  t.teardown(() => app.close());
  await t.rejects(async () => {
    await app.register(storefrontPlugin, { dir });
  }, /does not link/);
});

t.test('the storefront routes stay out of the OpenAPI document', async (t) => {
  const app = await createServer({
    service: 'catalog-read',
    description: 'test',
    logger: silentLogger,
    bodyLimitBytes: 1024,
    readinessTimeoutMs: 1000,
  });
  await app.register(storefrontPlugin);
  t.teardown(() => app.close());
  const docs = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, unknown>;
  }>();
  t.notOk('/' in docs.paths);
  t.notOk('/storefront/app.js' in docs.paths);
});

t.test('the image carries the storefront files (they are read at start-up)', async (t) => {
  const dockerfile = readFileSync(projectPath('Dockerfile'), 'utf8');
  const folder = 'services/catalog-read/storefront/public';
  t.equal(STOREFRONT_DIR, projectPath(folder));
  t.match(dockerfile, `COPY ${folder} ./${folder}`);
});
