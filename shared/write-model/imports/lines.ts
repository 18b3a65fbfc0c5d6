/** One line of an NDJSON stream, numbered from 1 as an editor shows it. */
export type Line =
  | {
      readonly number: number;
      readonly kind: 'text';
      readonly text: string;
      /** Byte offset just past this line and its newline: how far the input is consumed. */
      readonly end: number;
    }
  | { readonly number: number; readonly kind: 'too_long'; readonly end: number }
  | { readonly number: number; readonly kind: 'not_utf8'; readonly end: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream on `\n` (a `\r` before it is dropped) without ever holding more than one
 * line: a line over `maxLineBytes` is reported as `too_long` and its bytes are skipped, not kept.
 * Text is decoded as strict UTF-8 (a leading BOM is dropped); invalid bytes make the line
 * `not_utf8` rather than silently turning into U+FFFD. A last line without `\n` still counts.
 */
export async function* splitLines(
  source: AsyncIterable<Buffer | Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<Line, void, undefined> {
  // ignoreBOM keeps U+FEFF in the text; only one at the very start of the stream is dropped.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let overflow = false;
  let number = 0;
  let offset = 0;

  const finish = (tail: Uint8Array, end: number): Line => {
    number += 1;
    const total = pendingBytes + tail.length;
    const parts = pending;
    const tooLong = overflow || total > maxLineBytes;
    pending = [];
    pendingBytes = 0;
    overflow = false;
    if (tooLong) return { number, kind: 'too_long', end };
    let bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail], total);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN)
      bytes = bytes.subarray(0, -1);
    try {
      const text = decoder.decode(bytes);
      return { number, kind: 'text', text: number === 1 ? text.replace(/^\ufeff/, '') : text, end };
    } catch {
      return { number, kind: 'not_utf8', end };
    }
  };

  for await (const chunk of source) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) break;
      offset += newline + 1 - start;
      const line = finish(chunk.subarray(start, newline), offset);
      start = newline + 1;
      yield line;
    }
    const rest = chunk.subarray(start);
    offset += rest.length;
    if (rest.length === 0 || overflow) continue;
    if (pendingBytes + rest.length > maxLineBytes) {
      overflow = true;
      pending = [];
      pendingBytes = 0;
    } else {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0 || overflow) yield finish(new Uint8Array(0), offset);
}
