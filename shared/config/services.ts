import type { Config, SettingKey } from './settings.js';

/** Every deployable service, in data-flow order, with the setting that holds its port. */
export const servicePorts = {
  'catalog-write': 'catalogWritePort',
  'outbox-relay': 'outboxRelayPort',
  'projector-search': 'searchProjectorPort',
  'projector-detail': 'detailProjectorPort',
  'projector-analytics': 'analyticsProjectorPort',
  'catalog-read': 'catalogReadPort',
  'analytics-api': 'analyticsApiPort',
} as const satisfies Record<string, SettingKey>;

export type ServiceName = keyof typeof servicePorts;
export const serviceNames = Object.keys(servicePorts) as ServiceName[];

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(servicePorts, name);
}

export function servicePort(config: Config, service: ServiceName): number {
  return config[servicePorts[service]];
}
