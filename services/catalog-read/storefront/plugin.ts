import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { projectPath } from '../../../shared/paths.js';
import { chooseEncoding, makeAsset, notModified, pinAssetLinks, readAsset } from './assets.js';
import type { Asset } from './assets.js';

/** The page itself is revalidated soon (it names the asset versions of the running release). */
export const PAGE_CACHE_CONTROL = 'public, max-age=60';
/** An asset asked for by its current version never changes under that URL. */
export const PINNED_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export const STOREFRONT_DIR = projectPath('services', 'catalog-read', 'storefront', 'public');

/**
 * The page talks to its own origin only; `img-src https:` lets product images come from a CDN.
 * No inline script or style anywhere, so none is allowed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' https: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface StorefrontOptions {
  /** Where index.html, app.js and app.css are (default: the public/ folder beside this file). */
  readonly dir?: string;
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: Asset,
  cacheControl: string,
): FastifyReply {
  const encoding = chooseEncoding(request.headers['accept-encoding']);
  void reply
    .header('cache-control', cacheControl)
    .header('vary', 'accept-encoding')
    .header('etag', asset.etags[encoding]);
  if (notModified(request.headers['if-none-match'], asset)) return reply.code(304).send();
  if (encoding !== 'identity') void reply.header('content-encoding', encoding);
  return reply.type(asset.type).send(asset.bodies[encoding]);
}

/**
 * The demo storefront at GET /: one HTML page, one script module and one stylesheet, read and
 * compressed once at start-up, served from memory. It uses only the public /v1 routes.
 */
export async function storefrontPlugin(
  app: FastifyInstance,
  options: StorefrontOptions = {},
): Promise<void> {
  const dir = options.dir ?? STOREFRONT_DIR;
  const assets: Record<string, Asset> = {
    '/storefront/app.js': await readAsset(`${dir}/app.js`, 'text/javascript; charset=utf-8'),
    '/storefront/app.css': await readAsset(`${dir}/app.css`, 'text/css; charset=utf-8'),
  };
  const html = pinAssetLinks(await readFile(`${dir}/index.html`, 'utf8'), assets);
  const page = makeAsset(Buffer.from(html), 'text/html; charset=utf-8');

  const hidden = { schema: { hide: true } } as const;
  app.get('/', hidden, (request, reply) => {
    void reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    return send(request, reply, page, PAGE_CACHE_CONTROL);
  });
  for (const [path, asset] of Object.entries(assets)) {
    app.get<{ Querystring: { v?: string } }>(path, hidden, (request, reply) => {
      void reply.header('x-content-type-options', 'nosniff');
      const pinned = request.query.v === asset.version;
      return send(request, reply, asset, pinned ? PINNED_ASSET_CACHE_CONTROL : PAGE_CACHE_CONTROL);
    });
  }
}
