import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t from 'tap';
import { loadConfig } from '../config/index.js';
import { createServer } from '../http/server.js';
import { Problem } from '../http/problems.js';
import { createLogger, requestLogPolicy, requestLogPolicyOf } from './logger.js';
import {
  defaultRequestLogPolicy,
  requestLogDecision,
  type RequestLogPolicy,
} from './request-log.js';

const policy = (over: Partial<RequestLogPolicy> = {}): RequestLogPolicy => ({
  mode: 'sample',
  sampleRate: 0.1,
  slowMs: 500,
  ...over,
});
const never = () => 0.99;
const always = () => 0;

t.test('Errors are always logged: 5xx and failures as error, 4xx as info', async (t) => {
  for (const mode of ['all', 'errors', 'sample'] as const) {
    const p = policy({ mode, sampleRate: 0 });
    t.same(requestLogDecision(p, 503, 1, false, never), { level: 'error', reason: 'error' });
    t.same(requestLogDecision(p, 200, 1, true, never), { level: 'error', reason: 'error' });
    t.same(requestLogDecision(p, 404, 1, false, never), { level: 'info', reason: 'client_error' });
  }
});

t.test('A slow request is a warning in every mode; the bound itself is not slow', async (t) => {
  for (const mode of ['all', 'errors', 'sample'] as const) {
    t.same(requestLogDecision(policy({ mode }), 200, 501, false, never), {
      level: 'warn',
      reason: 'slow',
    });
    t.equal(requestLogDecision(policy({ mode: 'errors' }), 200, 500, false, never), undefined);
  }
  t.same(requestLogDecision(policy(), 404, 900, false, never), { level: 'warn', reason: 'slow' });
});

t.test('Ordinary requests: all logs each, errors none, sample the drawn share', async (t) => {
  t.same(requestLogDecision(policy({ mode: 'all' }), 200, 1, false, never), {
    level: 'info',
    reason: 'all',
  });
  t.equal(requestLogDecision(policy({ mode: 'errors' }), 200, 1, false, always), undefined);
  t.same(
    requestLogDecision(policy(), 304, 1, false, () => 0.0999),
    {
      level: 'info',
      reason: 'sampled',
    },
  );
  t.equal(
    requestLogDecision(policy(), 200, 1, false, () => 0.1),
    undefined,
  );
  let drawn = 0;
  requestLogDecision(policy({ sampleRate: 0 }), 200, 1, false, () => ++drawn);
  t.equal(drawn, 0, 'a zero rate draws nothing');
});

t.test('The settings make the policy; the default samples 1%, slow above 1 s', async (t) => {
  t.same(requestLogPolicy(loadConfig({})), defaultRequestLogPolicy);
  t.same(defaultRequestLogPolicy, { mode: 'sample', sampleRate: 0.001, slowMs: 1000 });
  t.same(
    requestLogPolicy(
      loadConfig({ LOG_REQUESTS: 'errors', LOG_SAMPLE_RATE: '0.25', LOG_SLOW_MS: '200' }),
    ),
    { mode: 'errors', sampleRate: 0.25, slowMs: 200 },
  );
  t.throws(() => loadConfig({ LOG_SAMPLE_RATE: '1.5' }), /LOG_SAMPLE_RATE must be a number/);
  t.throws(() => loadConfig({ LOG_SAMPLE_RATE: 'often' }), /LOG_SAMPLE_RATE/);
  t.throws(() => loadConfig({ LOG_REQUESTS: 'some' }), /LOG_REQUESTS must be one of/);
  const logger = createLogger('test', 'silent', { mode: 'all', sampleRate: 0, slowMs: 5 });
  t.same(requestLogPolicyOf(logger), { mode: 'all', sampleRate: 0, slowMs: 5 });
  t.same(requestLogPolicyOf(createLogger('test', 'silent')), defaultRequestLogPolicy);
});

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  why?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

/** A server on a logger whose lines the test reads, with routes that answer each kind. */
async function loggedServer(
  t: { teardown(fn: () => unknown): void },
  requestLog: RequestLogPolicy,
) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text !== '') lines.push(JSON.parse(text) as Line);
      }
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = await createServer({
    service: 'test',
    description: 'request logging',
    logger,
    bodyLimitBytes: 1024,
    readinessTimeoutMs: 100,
    requestLog,
  });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/missing', async () => {
    throw new Problem('not_found', 'nothing here');
  });
  app.get('/boom', async () => {
    throw new Error('broken');
  });
  app.get('/slow', async () => {
    await sleep(30);
    return { ok: true };
  });
  t.teardown(() => app.close());
  await app.ready();
  const get = (url: string) => app.inject({ method: 'GET', url });
  const requestLines = () => lines.filter((l) => l.msg === 'request completed');
  return { app, lines, get, requestLines };
}

t.test('With the default sampling, ordinary requests leave no line at all', async (t) => {
  const server = await loggedServer(t, policy({ sampleRate: 0 }));
  for (let i = 0; i < 20; i++) await server.get('/ok');
  t.same(server.lines, [], 'no "incoming request" and no "request completed"');
});

t.test('Errors, client errors and slow requests get one line each, with why', async (t) => {
  const server = await loggedServer(t, policy({ sampleRate: 0, slowMs: 60_000 }));
  await server.get('/ok');
  await server.get('/missing');
  await server.get('/boom');
  const lines = server.requestLines();
  t.match(lines, [
    {
      level: 30,
      why: 'client_error',
      req: { method: 'GET', url: '/missing' },
      res: { statusCode: 404 },
    },
    { level: 50, why: 'error', req: { url: '/boom' }, res: { statusCode: 500 } },
  ]);
  t.equal(lines.length, 2);
  for (const line of lines)
    t.match(line.reqId, /^[0-9a-f]{8}-[0-9a-z]+$/, 'each line has its request id');
  t.ok(
    server.lines.some((l) => l.msg === 'unhandled error' && l.reqId === lines[1]?.reqId),
    "the 500's details are logged under the same request id",
  );
  // The route takes 30 ms or more: slow against a 10 ms bound, however busy the machine is.
  const slow = await loggedServer(t, policy({ sampleRate: 0, slowMs: 10 }));
  await slow.get('/slow');
  t.match(slow.requestLines(), [
    { level: 40, why: 'slow', req: { url: '/slow' }, res: { statusCode: 200 } },
  ]);
  // Past the bound, not "≥ 30": a 30 ms timer may fire a fraction of a millisecond early by
  // the clock the response time is measured with.
  t.ok((slow.requestLines()[0]?.responseTime ?? 0) > 10, 'the line says how long it took');
});

t.test('LOG_REQUESTS=all logs every request once; a sample rate of 1 logs all too', async (t) => {
  const all = await loggedServer(t, policy({ mode: 'all' }));
  for (let i = 0; i < 5; i++) await all.get('/ok');
  t.equal(all.lines.length, 5);
  t.match(all.lines, Array(5).fill({ level: 30, why: 'all', msg: 'request completed' }));
  const sampled = await loggedServer(t, policy({ sampleRate: 1 }));
  for (let i = 0; i < 5; i++) await sampled.get('/ok');
  t.match(sampled.lines, Array(5).fill({ why: 'sampled' }));
});

t.test('A request id sent by the client is the one logged', async (t) => {
  const server = await loggedServer(t, policy({ mode: 'all' }));
  await server.app.inject({ method: 'GET', url: '/ok', headers: { 'x-request-id': 'abc-123' } });
  t.equal(server.lines[0]?.reqId, 'abc-123');
});
