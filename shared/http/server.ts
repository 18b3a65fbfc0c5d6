import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.js';
import { docsPlugin } from './docs.js';
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
}

export const AISLE_VERSION = '0.1.0';

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
    bodyLimit: opts.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler());
  app.addSchema(problemSchema);
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
