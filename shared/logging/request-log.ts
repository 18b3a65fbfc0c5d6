import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Which requests get a log line. `all`: every one. `errors`: 5xx, 4xx and slow ones. `sample`:
 * those, plus a random share of the rest: on a hot public route a line per request would cost
 * more than the request itself, and the metrics already count every one.
 */
export type RequestLogMode = 'all' | 'errors' | 'sample';

export interface RequestLogPolicy {
  readonly mode: RequestLogMode;
  /** Share (0..1) of the ordinary requests logged in `sample` mode. */
  readonly sampleRate: number;
  /** A request that took longer than this (ms) is logged, as a warning, in every mode. */
  readonly slowMs: number;
}

/**
 * One request in a thousand: a log line costs a synchronous write (pino's default destination,
 * so no line is lost when a process dies), about half a millisecond with its JSON on this box, so
 * at one in a hundred the sample alone cost the hot detail route about 5 µs a request. The
 * metrics count every request; the sample only shows what ordinary requests look like.
 */
export const defaultRequestLogPolicy: RequestLogPolicy = {
  mode: 'sample',
  sampleRate: 0.001,
  slowMs: 1000,
};

export type RequestLogLevel = 'error' | 'warn' | 'info';

/** Why a request was logged; it goes into the line, so a reader knows what the sample is. */
export type RequestLogReason = 'error' | 'client_error' | 'slow' | 'sampled' | 'all';

export interface RequestLogDecision {
  readonly level: RequestLogLevel;
  readonly reason: RequestLogReason;
}

/**
 * The rule, as a pure function: whether a finished request is logged, at which level and why.
 * `draw` is a uniform number in [0, 1) (Math.random in the server), only read for the sample.
 */
export function requestLogDecision(
  policy: RequestLogPolicy,
  statusCode: number,
  elapsedMs: number,
  failed: boolean,
  draw: () => number,
): RequestLogDecision | undefined {
  if (failed || statusCode >= 500) return { level: 'error', reason: 'error' };
  if (elapsedMs > policy.slowMs) return { level: 'warn', reason: 'slow' };
  if (statusCode >= 400) return { level: 'info', reason: 'client_error' };
  if (policy.mode === 'all') return { level: 'info', reason: 'all' };
  if (policy.mode === 'sample' && policy.sampleRate > 0 && draw() < policy.sampleRate) {
    return { level: 'info', reason: 'sampled' };
  }
  return undefined;
}

/**
 * Fastify's request logging under a policy: one line when a request completes (instead of an
 * "incoming" and a "completed" line for each), written only when the policy says so.
 */
export class PolicyLogController extends LogController {
  constructor(
    private readonly policy: RequestLogPolicy,
    private readonly draw: () => number = Math.random,
  ) {
    super();
  }

  override incomingRequest(): void {
    // The completion line carries the request too: one line per logged request.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const elapsed = reply.elapsedTime;
    const decision = requestLogDecision(
      this.policy,
      reply.statusCode,
      elapsed,
      error !== null && error !== undefined,
      this.draw,
    );
    if (decision === undefined) return;
    reply.log[decision.level](
      {
        req: { method: request.method, url: request.url, remoteAddress: request.ip },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(elapsed * 1000) / 1000,
        why: decision.reason,
        ...(error ? { err: error } : {}),
      },
      'request completed',
    );
  }
}
