import { connect } from 'node:net';
import type { Answer } from './runner.js';

/**
 * Requests inject() cannot make: bytes on a socket, so Node's HTTP parser, Fastify's framework
 * errors and the client-error handler are attacked as well as the routes.
 */
export async function exchange(port: number, request: Buffer, waitMs = 3_000): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    // Requests say Connection: close, so the server closes when it has answered. One that waits
    // for more body than was sent gets the end of the stream after a while, then is cut.
    const halfClose = setTimeout(() => socket.end(), waitMs);
    const cut = setTimeout(() => socket.destroy(), waitMs + 2_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(halfClose);
      clearTimeout(cut);
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', () => undefined);
  });
}

/** Every response in what a connection answered, in order (a 100 Continue included). */
export function parseAnswers(raw: Buffer): Answer[] {
  const answers: Answer[] = [];
  let at = 0;
  while (at < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd < 0)
      throw new Error(
        `an answer without a complete head: ${raw.subarray(at).toString('latin1').slice(0, 80)}`,
      );
    const [statusLine = '', ...lines] = raw.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
    if (status === undefined) throw new Error(`not a status line: ${statusLine.slice(0, 80)}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = headEnd + 4;
    answers.push({
      statusCode: Number(status),
      headers,
      body: raw.subarray(bodyStart, bodyStart + length).toString('utf8'),
    });
    at = bodyStart + length;
  }
  return answers;
}

/** One request head: the request line, then header lines, CRLF-separated, bytes as given. */
export function head(requestLine: string, headers: readonly string[]): Buffer {
  return Buffer.from([requestLine, ...headers, '', ''].join('\r\n'), 'latin1');
}

/** A chunked body: each piece as one chunk, then the last chunk. */
export function chunked(pieces: readonly Buffer[]): Buffer {
  return Buffer.concat([
    ...pieces.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]),
    Buffer.from('0\r\n\r\n'),
  ]);
}
