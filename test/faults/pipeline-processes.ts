import { loadConfig, type Config } from '../../shared/config/index.js';
import { freePort, startService, type RunningService } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

export const storeNames = ['search', 'clickhouse', 'redis', 'postgres'] as const;
export type StoreName = (typeof storeNames)[number];

export const serviceNames = [
  'catalog-write',
  'outbox-relay',
  'projector-search',
  'projector-detail',
  'projector-analytics',
  'catalog-read',
] as const;
export type CampaignService = (typeof serviceNames)[number];

const portVars: Record<CampaignService, string> = {
  'catalog-write': 'CATALOG_WRITE_PORT',
  'outbox-relay': 'OUTBOX_RELAY_PORT',
  'projector-search': 'SEARCH_PROJECTOR_PORT',
  'projector-detail': 'DETAIL_PROJECTOR_PORT',
  'projector-analytics': 'ANALYTICS_PROJECTOR_PORT',
  'catalog-read': 'CATALOG_READ_PORT',
};

const storeUrlVars: Record<StoreName, string> = {
  search: 'SEARCH_URL',
  clickhouse: 'CLICKHOUSE_URL',
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
};

export interface CampaignPipeline {
  /** The config of the real stores (no proxy), for the campaign's own observers and checks. */
  readonly direct: Config;
  /** The proxy in front of each store the services reach through one (see `unproxied`). */
  readonly proxies: Partial<Record<StoreName, FaultProxy>>;
  port(service: CampaignService): number;
  /** SIGKILL, then start again and wait until it is ready. */
  restart(service: CampaignService): Promise<void>;
  kill(service: CampaignService): Promise<void>;
  start(service: CampaignService): Promise<void>;
  /** Recent output of a service, for failure messages. */
  output(service: CampaignService): string;
  stop(): Promise<void>;
}

async function ready(port: number, running: RunningService, name: string): Promise<void> {
  await waitFor(
    `${name} to be ready`,
    async () => {
      if (running.child.exitCode !== null || running.child.signalCode !== null) {
        throw new Error(`${name} exited:\n${running.output().slice(-2000)}`);
      }
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      await response.body?.cancel();
      return response.ok ? true : undefined;
    },
    90_000,
    200,
  );
}

/**
 * Every service of the pipeline as its own process on one isolated environment, each store URL
 * pointing at a fault proxy: the campaign takes stores away from its own services only. Stores in
 * `unproxied` (private instances the campaign really stops and restarts) are reached directly.
 */
export async function startCampaignPipeline(
  env: Record<string, string | undefined>,
  unproxied: readonly StoreName[] = [],
  onUnexpectedExit: (service: CampaignService, detail: string) => void = () => undefined,
): Promise<CampaignPipeline> {
  const direct = loadConfig(env);
  const targets: Record<StoreName, string> = {
    search: direct.searchUrl,
    clickhouse: direct.clickhouseUrl,
    redis: direct.redisUrl,
    postgres: direct.databaseUrl,
  };
  const proxies: Partial<Record<StoreName, FaultProxy>> = {};
  const serviceEnv: Record<string, string | undefined> = { ...env };
  for (const store of storeNames) {
    if (unproxied.includes(store)) continue;
    const proxy = await startFaultProxy(store, new URL(targets[store]));
    proxies[store] = proxy;
    serviceEnv[storeUrlVars[store]] = proxy.url;
  }
  const ports = {} as Record<CampaignService, number>;
  for (const name of serviceNames) {
    ports[name] = await freePort();
    serviceEnv[portVars[name]] = String(ports[name]);
  }
  const running = new Map<CampaignService, RunningService>();
  const killed = new WeakSet<RunningService>();
  const start = async (name: CampaignService) => {
    const service = startService(name, serviceEnv);
    running.set(name, service);
    // Nothing restarts a service that dies on its own: it must be reported, with why.
    void service.exited.then((code) => {
      if (!killed.has(service)) {
        onUnexpectedExit(name, `exit ${code}; last output:\n${service.output().slice(-3000)}`);
      }
    });
    await ready(ports[name], service, name);
  };
  const kill = async (name: CampaignService) => {
    const service = running.get(name);
    if (service === undefined || service.child.exitCode !== null) return;
    killed.add(service);
    service.child.kill('SIGKILL');
    await service.exited;
  };
  // Should the campaign's process exit early (interrupted: see private-stores.ts), no service may
  // outlive it; first of the exit hooks, so that private stores stop with no client left.
  const killAll = () => {
    for (const service of running.values())
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
  };
  process.prependOnceListener('exit', killAll);
  // catalog-write migrates the schema first; the others need it or create their own stores.
  await start('catalog-write');
  await Promise.all(serviceNames.filter((n) => n !== 'catalog-write').map(start));
  return {
    direct,
    proxies,
    port: (name) => ports[name],
    kill,
    start,
    restart: async (name) => {
      await kill(name);
      await start(name);
    },
    output: (name) => running.get(name)?.output().slice(-4000) ?? '',
    stop: async () => {
      process.off('exit', killAll);
      await Promise.all(serviceNames.map(kill));
      await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    },
  };
}
