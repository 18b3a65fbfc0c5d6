import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../shared/http/problems.js';

/** `If-Match: "3"` (also `W/"3"` or `3`) → 3; `*` or absent → no condition. */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (match?.[1] === undefined) {
    throw new Problem('validation_failed', 'If-Match must be a version, e.g. "3"', [
      { field: 'headers.if-match', message: 'is not a version' },
    ]);
  }
  return Number(match[1]);
}

/**
 * A create has no current version for If-Match to hold against (RFC 9110: If-Match on a resource
 * that does not exist fails), so a conditional create is refused rather than silently run.
 */
export function refuseConditionalCreate(request: FastifyRequest): Promise<void> {
  if (request.headers['if-match'] !== undefined) {
    return Promise.reject(
      new Problem('precondition_failed', 'If-Match cannot hold on a create: nothing exists yet', [
        { field: 'headers.if-match', message: 'is not allowed on a create' },
      ]),
    );
  }
  return Promise.resolve();
}

export function correlationId(request: FastifyRequest): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : request.id;
}

export const etagOf = (version: number): string => `"${version}"`;

/** Headers every successful change carries: the version token for read-your-writes. */
export function versionHeaders(version: number): Record<string, string> {
  return { 'x-aisle-version': String(version), etag: etagOf(version) };
}

export function sendJson(
  reply: FastifyReply,
  status: number,
  headers: Record<string, string>,
  body: unknown,
): FastifyReply {
  return reply.code(status).headers(headers).send(body);
}
