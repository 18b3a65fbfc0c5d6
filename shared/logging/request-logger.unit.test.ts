import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { LazyChildLogger } from './request-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
      }
      done();
    },
  });
  const parent = pino({ level: 'info' }, sink);
  let children = 0;
  const child = Reflect.get<typeof parent, 'child'>(parent, 'child');
  // Children inherit this method (pino builds them with Object.create), so it keeps `this`.
  parent.child = function (this: typeof parent, ...args: Parameters<typeof child>) {
    children += 1;
    return child.apply(this, args);
  } as typeof parent.child;
  return { parent, lines, children: () => children };
}

t.test('No child logger is built until something is logged', async (t) => {
  const { parent, lines, children } = capture();
  const logger = new LazyChildLogger(parent, { reqId: 'r-1' }, {});
  t.equal(logger.level, 'info', 'the level is read without building the child');
  t.equal(children(), 0);
  logger.info({ a: 1 }, 'first');
  logger.warn('second');
  t.equal(children(), 1, 'built once, on the first line');
  t.match(lines, [
    { level: 30, reqId: 'r-1', a: 1, msg: 'first' },
    { level: 40, reqId: 'r-1', msg: 'second' },
  ]);
});

t.test('Every level writes through the child with its bindings', async (t) => {
  const { parent, lines } = capture();
  parent.level = 'trace';
  const logger = new LazyChildLogger(parent, { reqId: 'r-2' }, {});
  logger.trace('t');
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
  logger.fatal('f');
  logger.silent();
  t.same(
    lines.map((l) => [l['level'], l['msg'], l['reqId']]),
    [
      [10, 't', 'r-2'],
      [20, 'd', 'r-2'],
      [30, 'i', 'r-2'],
      [40, 'w', 'r-2'],
      [50, 'e', 'r-2'],
      [60, 'f', 'r-2'],
    ],
  );
  logger.child({ step: 'x' }).info('nested');
  t.match(lines.at(-1), { reqId: 'r-2', step: 'x', msg: 'nested' });
});

t.test('A level set on the request logger applies to it alone', async (t) => {
  const { parent, lines } = capture();
  const logger = new LazyChildLogger(parent, { reqId: 'r-3' }, { level: 'error' });
  t.equal(logger.level, 'error');
  logger.info('dropped');
  logger.level = 'debug';
  logger.debug('kept');
  t.equal(parent.level, 'info', 'the parent keeps its level');
  t.match(lines, [{ msg: 'kept', reqId: 'r-3' }]);
  t.equal(lines.length, 1);
});
