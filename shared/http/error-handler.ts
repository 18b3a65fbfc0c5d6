import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  PROBLEM_CONTENT_TYPE,
  Problem,
  problemDocument,
  type FieldProblem,
  type ProblemCode,
} from './problems.js';
import { isTransientStoreError } from '../stores/transient.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Turns Ajv issues into field paths a client can map back to its form: `attributes.color`. */
function fieldProblems(context: string, issues: readonly ValidationIssue[]): FieldProblem[] {
  return issues.map((issue) => {
    const path = (issue.instancePath ?? '').split('/').filter(Boolean);
    const extra = issue.params?.['additionalProperty'] ?? issue.params?.['missingProperty'];
    if (typeof extra === 'string') path.push(extra);
    const field = [context, ...path].join('.');
    const message =
      issue.keyword === 'additionalProperties'
        ? 'is not a known field'
        : (issue.message ?? 'is invalid');
    return { field, message };
  });
}

/** Maps Fastify's own error codes onto the catalogue. */
function classify(error: FastifyError): ProblemCode {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'payload_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'malformed_json';
    default:
      break;
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return 'malformed_json';
  const status = error.statusCode ?? 500;
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'too_many_requests';
  if (status === 503) return 'unavailable';
  if (status >= 400 && status < 500) return 'validation_failed';
  return 'internal';
}

/** What a 503 asks a client to wait: a store outage is usually seconds, and the deadline short. */
export const RETRY_AFTER_SECONDS = '1';

function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ProblemCode,
  detail?: string,
  errors?: readonly FieldProblem[],
): FastifyReply {
  const body = problemDocument(code, detail, errors, request.url);
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Every error leaves as application/problem+json; 5xx details are logged, never sent. */
export const problemErrorHandler = fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof Problem) {
        if (error.headers) void reply.headers(error.headers);
        return sendProblem(reply, request, error.code, error.detail, error.errors);
      }
      if (error.validation) {
        const context = error.validationContext ?? 'body';
        return sendProblem(
          reply,
          request,
          'validation_failed',
          `The ${context} does not match the schema.`,
          fieldProblems(context, error.validation),
        );
      }
      if (isTransientStoreError(error)) {
        // A store that is away or slow: the client may retry, and the route never hangs.
        request.log.warn({ err: error }, 'a store is unavailable');
        void reply.header('retry-after', RETRY_AFTER_SECONDS);
        return sendProblem(reply, request, 'unavailable', 'A store is temporarily unavailable.');
      }
      const code = classify(error);
      if (code === 'internal') {
        request.log.error({ err: error }, 'unhandled error');
        return sendProblem(reply, request, code);
      }
      return sendProblem(reply, request, code, error.message);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, 'not_found', `No route ${request.method} ${request.url}.`),
    );
  },
  { name: 'aisle-problems' },
);

/**
 * Errors Fastify raises before routing (a malformed %-escape, a path parameter over the router's
 * length limit) skip the error handler; this renders them as problem documents too.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const body = problemDocument(
    'validation_failed',
    tooLong ? 'A path parameter is too long.' : 'The URL is malformed.',
  );
  void reply
    .code(tooLong ? 414 : 400)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...body, status: tooLong ? 414 : 400 });
}
