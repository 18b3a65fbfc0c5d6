import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export type ReadinessCheck = () => Promise<void>;

export interface Readiness {
  add(name: string, check: ReadinessCheck): void;
  names(): string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness;
  }
}

interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

function withDeadline(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check(), deadline]).finally(() => clearTimeout(timer));
}

async function run(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  try {
    await withDeadline(check, timeoutMs);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: message };
  }
}

const checkSchema = {
  type: 'object',
  required: ['status', 'latencyMs'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    latencyMs: { type: 'integer' },
    error: { type: 'string' },
  },
} as const;

const readySchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unready'] },
    checks: { type: 'object', additionalProperties: checkSchema },
  },
} as const;

/**
 * /health/live says the process serves HTTP; /health/ready says every store this service
 * registered answers, so a load balancer only sends traffic to instances that can serve it.
 */
export const healthPlugin = fp(
  (app: FastifyInstance, opts: { timeoutMs: number }) => {
    const checks = new Map<string, ReadinessCheck>();
    app.decorate('readiness', {
      add: (name: string, check: ReadinessCheck) => void checks.set(name, check),
      names: () => [...checks.keys()],
    });

    app.get(
      '/health/live',
      {
        schema: {
          tags: ['health'],
          response: {
            200: { type: 'object', properties: { status: { type: 'string', const: 'live' } } },
          },
        },
      },
      () => ({ status: 'live' }),
    );

    app.get(
      '/health/ready',
      { schema: { tags: ['health'], response: { 200: readySchema, 503: readySchema } } },
      async (_request, reply) => {
        const entries = await Promise.all(
          [...checks].map(
            async ([name, check]) => [name, await run(check, opts.timeoutMs)] as const,
          ),
        );
        const ready = entries.every(([, result]) => result.status === 'up');
        return reply
          .code(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'unready', checks: Object.fromEntries(entries) });
      },
    );
  },
  { name: 'aisle-health' },
);
