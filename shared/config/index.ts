export { loadConfig, configTable, ConfigError, type LoadOptions } from './load.js';
export { settings, type Config, type SettingKey } from './settings.js';
export {
  isServiceName,
  serviceNames,
  servicePort,
  servicePorts,
  type ServiceName,
} from './services.js';
