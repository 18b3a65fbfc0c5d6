import type { ClickHouseClient } from './clickhouse.js';
import type { Pool } from './postgres.js';
import type { Queues } from './queues.js';
import type { Redis } from './redis.js';
import type { SearchEngine } from './search/engine.js';

/** Names under which store plugins decorate the app; a service has only the ones it opened. */
declare module 'fastify' {
  interface FastifyInstance {
    pg: Pool;
    redis: Redis;
    queues: Queues;
    searchEngine: SearchEngine;
    clickhouse: ClickHouseClient;
  }
}
