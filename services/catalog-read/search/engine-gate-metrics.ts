import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Config } from '../../../shared/config/index.js';
import { EngineGate } from './engine-gate.js';

/** The engine gate of /v1/search and /v1/suggest as configured, with its metrics. */
export function engineGate(
  registry: Registry,
  config: Pick<Config, 'searchEngineConcurrency' | 'storeRequestTimeoutMs'>,
): EngineGate {
  const waited = new Histogram({
    name: 'aisle_search_engine_wait_seconds',
    help: 'Time a search engine request waited in catalog-read for a turn (SEARCH_ENGINE_CONCURRENCY), by priority (first; follow-up: the second request of a search under way).',
    labelNames: ['priority'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'aisle_search_engine_wait_timeouts_total',
    help: 'Search engine requests that waited STORE_REQUEST_TIMEOUT_MS for a turn without getting one (answered 503), by priority.',
    labelNames: ['priority'] as const,
    registers: [registry],
  });
  const gate = new EngineGate({
    limit: Number(config.searchEngineConcurrency) || 0,
    maxWaitMs: Number(config.storeRequestTimeoutMs) || 2000,
    onStart: (priority, waitedMs) => waited.observe({ priority }, waitedMs / 1000),
    onTimeout: (priority) => refused.inc({ priority }),
  });
  new Gauge({
    name: 'aisle_search_engine_waiting',
    help: 'Search engine requests waiting in catalog-read for a turn now.',
    registers: [registry],
    collect() {
      this.set(gate.waiting);
    },
  });
  return gate;
}
