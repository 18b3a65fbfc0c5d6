/**
 * The BullMQ queues of the pipeline. The relay adds one job per outbox event to each projection
 * queue; catalog-read adds storefront usage events to the usage queue.
 */
export const projectionNames = ['search', 'detail', 'analytics'] as const;
export type ProjectionName = (typeof projectionNames)[number];

export const queueNames = {
  search: 'projection-search',
  detail: 'projection-detail',
  analytics: 'projection-analytics',
  usage: 'storefront-usage',
} as const;
export type QueueKey = keyof typeof queueNames;

/** BullMQ key prefix under the configured Redis prefix, so one Redis can host several installs. */
export function bullPrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:bull`;
}
