import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { problemDocument } from './problems.js';

/** The response Node attaches to a socket while a request on it is being answered. */
interface InFlightResponse {
  readonly headersSent: boolean;
  readonly req?: { readonly complete: boolean };
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (bad chunking, TE with CL, a bad
 * Content-Length, NUL or a bare CR in a header, oversize headers, bytes that are not HTTP) would
 * otherwise be answered with a bare status line. They are answered with a problem document, and
 * the connection is closed, since the stream can no longer be trusted.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A response already on its way (the error came later in the stream) cannot be followed by
  // another one on the same connection.
  const inFlight = (socket as Socket & { _httpMessage?: InFlightResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  // A request that fully arrived before the bad bytes is still being handled (bytes pipelined
  // after it, or after its Connection: close). An answer written now would reach its client as
  // the answer to that request, which may have committed: it is answered first, then the
  // connection is closed. (When the bad bytes are in that request's own body, it can never
  // complete, and the problem document below is its answer.)
  if (inFlight?.req?.complete === true) {
    const close = () => socket.destroy();
    inFlight.once('finish', close);
    inFlight.once('close', close);
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timedOut ? 408 : 400;
  const document = tooLarge
    ? problemDocument('headers_too_large', 'The request line and headers are too large.')
    : timedOut
      ? problemDocument('request_timeout', 'The request was not received in time.')
      : problemDocument('malformed_request', 'The request is not valid HTTP.');
  const body = JSON.stringify(document);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/problem+json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * An Expect other than 100-continue: Node answers 417 itself, with an empty body, unless the
 * server listens for it. Answered here as a problem document instead, the connection closed.
 */
export function expectationFailedHandler(
  _request: IncomingMessage,
  response: ServerResponse,
): void {
  const body = JSON.stringify(
    problemDocument('expectation_failed', 'Only Expect: 100-continue is supported.'),
  );
  response.writeHead(417, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  response.end(body);
}
