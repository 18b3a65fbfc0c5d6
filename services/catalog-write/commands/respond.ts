import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordIdempotentResponse } from '../idempotency/plugin.js';
import { correlationId, expectedVersion, versionHeaders } from '../http.js';
import type { CommandContext } from '../../../shared/write-model/kit/context.js';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Versioned {
  readonly version: number;
}

/**
 * Runs a command for a route and answers it. The answer is computed from the decided snapshot
 * before commit, so an Idempotency-Key stores exactly what the client receives, atomically with
 * the change.
 */
export async function answerCommand<S extends Versioned>(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (context: CommandContext<S>) => Promise<unknown>,
  answer: (snapshot: S) => Answer,
): Promise<FastifyReply> {
  let sent: Answer | undefined;
  const headersOf = (snapshot: S, a: Answer) => ({
    ...versionHeaders(snapshot.version),
    ...a.headers,
  });
  let headers: Record<string, string> = {};
  await run({
    correlationId: correlationId(request),
    expectedVersion: expectedVersion(request),
    beforeCommit: async (client, snapshot) => {
      sent = answer(snapshot);
      headers = headersOf(snapshot, sent);
      await recordIdempotentResponse(request, client, {
        status: sent.status,
        headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(sent.body),
      });
    },
  });
  if (sent === undefined) throw new Error('command finished without an answer');
  return reply.code(sent.status).headers(headers).send(sent.body);
}
