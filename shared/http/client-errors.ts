import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { problemDocument } from './problems.js';

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (bad chunking, TE with CL, a bad
 * Content-Length, NUL or a bare CR in a header, oversize headers, bytes that are not HTTP) would
 * otherwise be answered with a bare status line. They are answered with a problem document, and
 * the connection is closed, since the stream can no longer be trusted.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A response already on its way (the error came later in the stream) cannot be followed by
  // another one on the same connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
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
