import type { FastifyInstance } from 'fastify';

/** The sum of the app's /metrics samples whose line matches `pattern` (labels included). */
export async function metricSum(app: FastifyInstance, pattern: RegExp): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  return text
    .split('\n')
    .filter((line) => pattern.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
