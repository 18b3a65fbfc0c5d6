import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { RequestDurationHistogram } from './request-duration.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/**
 * One Prometheus registry per app (not the global one) so several apps can live in one test
 * process. Route labels use the route pattern, never the raw URL, to keep cardinality bounded.
 */
export const metricsPlugin = fp(
  (app: FastifyInstance, opts: { service: string }) => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: opts.service });
    collectDefaultMetrics({ register: registry });
    app.decorate('metrics', registry);

    const duration = new RequestDurationHistogram();
    // The registry exports any object with prom-client's metric shape; its type lists only
    // prom-client's own classes.
    registry.registerMetric(duration as unknown as Metric);

    // A callback hook, not an async one: it runs on every request, and a promise per request
    // (plus the microtask it resolves in) would be spent on nothing.
    app.addHook('onResponse', (request, reply, done) => {
      duration.observe(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get('/metrics', { schema: { tags: ['health'], hide: true } }, async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    });
  },
  { name: 'aisle-metrics' },
);
