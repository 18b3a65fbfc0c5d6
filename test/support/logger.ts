import { createLogger } from '../../shared/logging/logger.js';

export const silentLogger = createLogger('test', 'silent');
