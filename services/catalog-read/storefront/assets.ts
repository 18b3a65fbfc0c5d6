import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

/** One file of the storefront, held in memory with its compressed forms and their tags. */
export interface Asset {
  readonly type: string;
  /** A hash of the content: the `?v=` the page links it with, and the base of its ETags. */
  readonly version: string;
  readonly bodies: Readonly<Record<Encoding, Buffer>>;
  /** Strong ETags, one per encoding (each is a different sequence of bytes). */
  readonly etags: Readonly<Record<Encoding, string>>;
}

const contentHash = (bytes: Buffer): string =>
  createHash('sha256').update(bytes).digest('base64url').slice(0, 16);

/** Compressed once, at start-up: the files are small and never change while the service runs. */
export function makeAsset(body: Buffer, type: string): Asset {
  const version = contentHash(body);
  return {
    type,
    version,
    bodies: {
      identity: body,
      gzip: gzipSync(body, { level: 9 }),
      br: brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
      }),
    },
    etags: { identity: `"${version}"`, gzip: `"${version}-gz"`, br: `"${version}-br"` },
  };
}

export const readAsset = async (path: string, type: string): Promise<Asset> =>
  makeAsset(await readFile(path), type);

/**
 * The page with each asset link pinned to the asset's version (`/storefront/app.js?v=…`), so an
 * asset can be cached for a year and a new release is fetched at once. Throws when the page
 * does not link an asset: a renamed file must not ship a page without its script.
 */
export function pinAssetLinks(html: string, links: Readonly<Record<string, Asset>>): string {
  let pinned = html;
  for (const [path, asset] of Object.entries(links)) {
    const quoted = `"${path}"`;
    if (!pinned.includes(quoted)) throw new Error(`the storefront page does not link ${path}`);
    pinned = pinned.replaceAll(quoted, `"${path}?v=${asset.version}"`);
  }
  return pinned;
}

/** The best encoding the client accepts (br, then gzip); `q=0` refuses one. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (acceptEncoding === undefined) return 'identity';
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}

/** If-None-Match against the asset's tags (any encoding, weak or strong: same content). */
export function notModified(ifNoneMatch: string | undefined, asset: Asset): boolean {
  if (ifNoneMatch === undefined) return false;
  const tags = new Set(Object.values(asset.etags));
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tags.has(tag));
}
