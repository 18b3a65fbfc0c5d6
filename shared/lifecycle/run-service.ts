import type { FastifyInstance } from 'fastify';
import {
  ConfigError,
  loadConfig,
  servicePort,
  type Config,
  type ServiceName,
  type SettingKey,
} from '../config/index.js';
import { createLogger, requestLogPolicy, type Logger } from '../logging/logger.js';
import { exitOnSignals } from './shutdown.js';

export interface ServiceDefinition {
  readonly service: ServiceName;
  readonly require?: readonly SettingKey[];
  readonly build: (config: Config, logger: Logger) => Promise<FastifyInstance>;
}

/** EX_CONFIG from sysexits.h: supervisors should not restart a service that cannot configure. */
const EXIT_CONFIG = 78;

function configOrExit(service: string, require: readonly SettingKey[]): Config {
  try {
    return loadConfig(process.env, { require });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

/** The common start of every service's main.ts: config, logger, app, listen, graceful stop. */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const config = configOrExit(definition.service, definition.require ?? []);
  const logger = createLogger(definition.service, config.logLevel, requestLogPolicy(config));
  try {
    const app = await definition.build(config, logger);
    exitOnSignals(logger, config.shutdownTimeoutMs, () => app.close());
    await app.listen({ host: config.host, port: servicePort(config, definition.service) });
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
}
