import t from 'tap';
import { isTransientStoreError } from './transient.js';

const withCode = (code: string) => Object.assign(new Error('x'), { code });
const named = (name: string) => Object.assign(new Error('x'), { name });
const withStatus = (statusCode: number) => Object.assign(new Error('x'), { meta: { statusCode } });

t.test('When a store is away or overloaded, then the error is transient', async (t) => {
  for (const error of [
    withCode('ECONNREFUSED'),
    withCode('ECONNRESET'),
    withCode('ETIMEDOUT'),
    withCode('57P01'), // Postgres admin shutdown
    withCode('08006'), // Postgres connection failure
    withCode('53300'), // too many connections
    named('TimeoutError'), // search clients
    named('ConnectionError'),
    named('NoLivingConnectionsError'),
    named('MaxRetriesPerRequestError'), // ioredis
    withStatus(429),
    withStatus(503),
    new Error('Connection is closed.'),
    new Error('Command timed out'),
    new Error('Connection terminated unexpectedly'),
    new Error('outer', { cause: withCode('ECONNREFUSED') }),
    new AggregateError([withCode('ECONNREFUSED')], 'all failed'),
  ]) {
    t.ok(isTransientStoreError(error), String(error.name) + ' ' + error.message);
  }
});

t.test('When a store refuses this one call, then the error is not transient', async (t) => {
  for (const error of [
    withCode('23505'), // unique violation
    withCode('22P02'), // invalid text representation
    withStatus(400),
    withStatus(404),
    withStatus(409),
    new Error('mapper_parsing_exception'),
    new TypeError('x is not a function'),
    'a string',
    null,
  ]) {
    t.notOk(isTransientStoreError(error), String(error));
  }
});
