import { pino, type Logger } from 'pino';
import type { Config } from '../config/index.js';
import { defaultRequestLogPolicy, type RequestLogPolicy } from './request-log.js';

export type { Logger } from 'pino';

/** Paths that may carry credentials; pino replaces them before anything is written. */
const redacted = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.tokens',
];

/** The request-logging policy each logger was created with; servers built on it follow it. */
const requestPolicies = new WeakMap<Logger, RequestLogPolicy>();

export function createLogger(
  service: string,
  level: string,
  requests: RequestLogPolicy = defaultRequestLogPolicy,
): Logger {
  const logger = pino({
    level,
    base: { service },
    redact: { paths: redacted, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  requestPolicies.set(logger, requests);
  return logger;
}

/** Which requests a server logging through `logger` writes a line for. */
export function requestLogPolicyOf(logger: Logger): RequestLogPolicy {
  return requestPolicies.get(logger) ?? defaultRequestLogPolicy;
}

/** The policy the settings describe (LOG_REQUESTS, LOG_SAMPLE_RATE, LOG_SLOW_MS). */
export function requestLogPolicy(
  config: Pick<Config, 'logRequests' | 'logSampleRate' | 'logSlowMs'>,
): RequestLogPolicy {
  return { mode: config.logRequests, sampleRate: config.logSampleRate, slowMs: config.logSlowMs };
}
