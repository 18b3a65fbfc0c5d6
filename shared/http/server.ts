import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { requestLogPolicyOf, type Logger } from '../logging/logger.js';
import { PolicyLogController, type RequestLogPolicy } from '../logging/request-log.js';
import { lazyChildLoggerFactory } from '../logging/request-logger.js';
import { clientErrorHandler, expectationFailedHandler } from './client-errors.js';
import { docsPlugin } from './docs.js';
import { strictJsonBodies } from './json-body.js';
import { frameworkErrorHandler, problemErrorHandler } from './error-handler.js';
import { healthPlugin } from './health.js';
import { metricsPlugin } from './metrics.js';
import { problemSchema } from './problems.js';
import { validatorCompiler } from './validation.js';

export interface ServerOptions {
  readonly service: string;
  readonly description: string;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly readinessTimeoutMs: number;
  /** Which requests are logged; default: the policy the logger was created with. */
  readonly requestLog?: RequestLogPolicy;
  /**
   * Proxies whose X-Forwarded-For sets request.ip (a hop count, or addresses and CIDRs);
   * default: none, request.ip is the peer. Never "all": any client could then pick its own IP.
   */
  readonly trustProxy?: number | readonly string[];
}

export const AISLE_VERSION = '0.1.0';

/** Largest request line + headers accepted (431 above it). */
export const MAX_REQUEST_HEAD_BYTES = 64 * 1024;

/**
 * Request ids unique across instances and restarts: a random prefix per process and a counter.
 * Cheaper than a UUID per request (which costs as much as a cached detail lookup), and as good
 * for finding a request's log lines.
 */
export function requestIds(): () => string {
  const prefix = randomUUID().slice(0, 8);
  let counter = 0;
  return () => `${prefix}-${(++counter).toString(36)}`;
}

/** Fastify's trustProxy from a hop count or a list (a count trusts the nearest N hops). */
function trustedProxies(
  trust: ServerOptions['trustProxy'],
): Pick<FastifyServerOptions, 'trustProxy'> {
  if (trust === undefined) return {};
  if (typeof trust === 'number') return { trustProxy: (_address, hop) => hop < trust };
  return { trustProxy: [...trust] };
}

type ValidatorFactory = NonNullable<
  NonNullable<
    NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
  >['buildValidator']
>;

/**
 * The common base of every Aisle service: problem+json errors, health, metrics and OpenAPI.
 * Validation keeps unknown fields (so `additionalProperties: false` rejects them instead of
 * silently dropping them) and reports every issue, so clients get field-level details at once.
 */
export async function createServer(opts: ServerOptions): Promise<FastifyInstance> {
  // Widened to Fastify's logger type so the instance matches every plugin's FastifyInstance.
  const loggerInstance: FastifyBaseLogger = opts.logger;
  const app = Fastify({
    loggerInstance,
    // One line per logged request, and only the requests the policy picks (LOG_REQUESTS).
    logController: new PolicyLogController(opts.requestLog ?? requestLogPolicyOf(opts.logger)),
    // request.log is built only when a request logs something (most are not logged at all).
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: opts.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: requestIds(),
    forceCloseConnections: 'idle',
    ...trustedProxies(opts.trustProxy),
    // The request line may hold a 4,096-character query percent-encoded (up to 9 bytes a
    // character): Node's 16 KiB default would refuse what the API publishes.
    http: { maxHeaderSize: MAX_REQUEST_HEAD_BYTES },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Through the schema controller, not setValidatorCompiler: a plugin context that adds a
    // schema gets a fresh validator from this factory, and Fastify's default factory would
    // silently drop unknown fields there instead of rejecting them.
    schemaController: {
      compilersFactory: {
        // Typed for Ajv's compile; Fastify also takes compilers that answer { value } | { error }.
        buildValidator: ((sharedSchemas: Record<string, unknown>) =>
          validatorCompiler(sharedSchemas)) as unknown as ValidatorFactory,
      },
    },
  });
  app.addSchema(problemSchema);
  app.server.on('checkExpectation', expectationFailedHandler);
  strictJsonBodies(app);
  await app.register(problemErrorHandler);
  await app.register(docsPlugin, {
    title: `Aisle ${opts.service}`,
    description: opts.description,
    version: AISLE_VERSION,
  });
  await app.register(metricsPlugin, { service: opts.service });
  await app.register(healthPlugin, { timeoutMs: opts.readinessTimeoutMs });
  return app;
}
