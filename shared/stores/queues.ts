import { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { bullPrefix, queueNames, type QueueKey } from '../events/queues.js';
import { closeRedis, createRedis } from './redis.js';
import type { StoreHandle } from './store.js';

export type Queues = Readonly<Partial<Record<QueueKey, Queue>>>;

/**
 * Producer side of the pipeline queues. One connection is shared by all queues of a process; its
 * commands fail after a bounded retry so a Redis outage surfaces to the caller, which retries.
 */
export function openQueues(
  redisUrl: string,
  redisKeyPrefix: string,
  keys: readonly QueueKey[],
): StoreHandle<Queues> {
  const connection = createRedis(redisUrl, 'command');
  connection.on('error', () => undefined);
  const prefix = bullPrefix(redisKeyPrefix);
  const queues = Object.fromEntries(
    keys.map((key) => [key, new Queue(queueNames[key], { connection, prefix })]),
  ) as Queues;
  for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  return {
    name: 'queues',
    client: queues,
    ping: async () => {
      if (connection.status !== 'ready')
        throw new Error(`redis connection is ${connection.status}`);
      await connection.ping();
    },
    close: async () => {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      await closeRedis(connection);
    },
  };
}

/** Exposes waiting/active/delayed/failed counts of each queue on /metrics. */
export function registerQueueDepthGauge(registry: Registry, queues: Queues): void {
  new Gauge({
    name: 'aisle_queue_jobs',
    help: 'Jobs in each pipeline queue by state.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        Object.values(queues).map(async (queue) => {
          try {
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
            for (const [state, count] of Object.entries(counts)) {
              this.set({ queue: queue.name, state }, count);
            }
          } catch {
            // Redis away: the gauge is left empty for this scrape, /health/ready says why.
          }
        }),
      );
    },
  });
}
