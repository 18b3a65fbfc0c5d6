import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Problem } from './problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: a hash of the bearer token, never the token itself. */
    principal?: string;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Compares against every configured token in constant time: hashing first gives equal-length
 * inputs to timingSafeEqual, and the loop never exits early, so timing reveals neither which
 * token matched nor how much of one did.
 */
export function tokenMatcher(tokens: readonly string[]): (candidate: string) => boolean {
  const expected = tokens.map(digest);
  return (candidate) => {
    const given = digest(candidate);
    let matched = false;
    for (const token of expected) matched = timingSafeEqual(token, given) || matched;
    return matched;
  };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Guards every route of the encapsulation context it is registered in (health stays open). */
export const bearerAuthPlugin = fp(
  (app: FastifyInstance, opts: { tokens: readonly string[]; realm: string }) => {
    const matches = tokenMatcher(opts.tokens);
    app.addHook('onRequest', async (request, reply) => {
      const token = bearerToken(request);
      if (token === undefined || !matches(token)) {
        void reply.header('www-authenticate', `Bearer realm="${opts.realm}"`);
        throw new Problem('unauthorized', 'Send Authorization: Bearer <token>.');
      }
      request.principal = digest(token).toString('hex').slice(0, 32);
    });
  },
  { name: 'aisle-bearer-auth' },
);
