/**
 * How a hostile value is written into a request body. Most are plain JSON values, but some can
 * only be sent as text (a lone-surrogate escape, `1e400`, a `__proto__` key) or as bytes (invalid
 * UTF-8 inside a string), so a body is serialized with a marker where the value goes, and the
 * marker is then replaced by the text or the bytes.
 */
export type Piece =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'json'; readonly json: string }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'absent' };

export interface HostileValue {
  readonly label: string;
  readonly piece: Piece;
  /** Set when the value must be refused whatever the schema says (e.g. invalid UTF-8). */
  readonly mustReject?: boolean;
}

export const value = (label: string, v: unknown, mustReject?: boolean): HostileValue => ({
  label,
  piece: { kind: 'value', value: v },
  ...(mustReject === undefined ? {} : { mustReject }),
});

export const json = (label: string, text: string, mustReject?: boolean): HostileValue => ({
  label,
  piece: { kind: 'json', json: text },
  ...(mustReject === undefined ? {} : { mustReject }),
});

/** Bytes placed between the quotes of a JSON string: `"ab<bytes>cd"`. */
export const bytes = (label: string, inner: readonly number[]): HostileValue => ({
  label,
  piece: {
    kind: 'bytes',
    bytes: Buffer.concat([Buffer.from('"ab'), Buffer.from(inner), Buffer.from('cd"')]),
  },
  mustReject: true,
});

const MARKER = '\u0001hostile-marker\u0001';
const QUOTED_MARKER = JSON.stringify(MARKER);

/**
 * The body `base` with the value at `path` replaced by `piece` (or removed when absent), as the
 * exact bytes to send. An empty path replaces the whole body.
 */
export function bodyWith(base: unknown, path: readonly string[], piece: Piece): Buffer {
  const copy = structuredClone(base);
  if (path.length === 0) return render(JSON.stringify(MARKER), piece);
  const parent = path.slice(0, -1).reduce<Record<string, unknown>>(
    (node, key) => {
      const child = node[key];
      if (child === null || typeof child !== 'object') node[key] = {};
      return node[key] as Record<string, unknown>;
    },
    copy as Record<string, unknown>,
  );
  const last = path[path.length - 1] as string;
  if (piece.kind === 'absent') {
    delete parent[last];
    return Buffer.from(JSON.stringify(copy));
  }
  parent[last] = MARKER;
  return render(JSON.stringify(copy), piece);
}

function render(text: string, piece: Piece): Buffer {
  const at = text.indexOf(QUOTED_MARKER);
  if (at < 0) throw new Error('marker lost while serializing a hostile body');
  const before = Buffer.from(text.slice(0, at));
  const after = Buffer.from(text.slice(at + QUOTED_MARKER.length));
  return Buffer.concat([before, pieceBytes(piece), after]);
}

function pieceBytes(piece: Piece): Buffer {
  switch (piece.kind) {
    case 'value':
      return Buffer.from(JSON.stringify(piece.value) ?? 'null');
    case 'json':
      return Buffer.from(piece.json);
    case 'bytes':
      return piece.bytes;
    case 'absent':
      return Buffer.from('null');
  }
}

/** What the server should have understood from a body, or undefined when it is not JSON. */
export function parsedBody(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as unknown;
  } catch {
    return undefined;
  }
}
