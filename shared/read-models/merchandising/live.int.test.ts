// LiveMerchandising on a real Redis: announcements reach every instance, the poll catches a change
// whose announcement was missed, and a start with Redis away goes on with the initial view.
import t from 'tap';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { silentLogger } from '../../../test/support/logger.js';
import { ruleSnapshot } from '../../../test/support/merchandising.js';
import { waitFor } from '../../../test/support/wait.js';
import { closeRedis, createRedis, type Redis } from '../../stores/redis.js';
import { parseSynonyms } from '../search/query/synonyms.js';
import { merchandisingKeys } from './keys.js';
import { LiveMerchandising } from './live.js';
import { merchandisingProjection } from './projection.js';

const initial = parseSynonyms('sneakers, trainers');
const rule = (id: string, version: number) => ruleSnapshot({ id, version });

function connection(t: Teardowns, url: string): Redis {
  const redis = createRedis(url, 'command');
  redis.on('error', () => undefined);
  t.teardown(() => closeRedis(redis));
  return redis;
}

async function live(t: Teardowns, url: string, prefix: string, pollMs = 60_000) {
  const instance = new LiveMerchandising({
    redis: connection(t, url),
    subscriber: connection(t, url),
    prefix,
    initial,
    pollMs,
    logger: silentLogger,
  });
  t.teardown(() => instance.close());
  await instance.start();
  return instance;
}

t.test('A change announced by the projection reaches every instance', async (t) => {
  const config = isolatedConfig(t);
  const instances = [
    await live(t, config.redisUrl, config.redisKeyPrefix),
    await live(t, config.redisUrl, config.redisKeyPrefix),
  ];
  t.equal(instances[0]?.current().synonymsVersion, 0, 'the initial set before any change');
  const projection = merchandisingProjection(connection(t, config.redisUrl), config.redisKeyPrefix);
  t.equal(await projection.putRule(rule('r1', 1)), true);
  t.equal(
    await projection.putSynonyms({
      version: 4,
      lines: ['wellies, rain boots'],
      updatedAt: '2026-01-01T00:00:00Z',
    }),
    true,
  );
  for (const instance of instances) {
    await waitFor('the rule and the set', async () => {
      const view = instance.current();
      return view.synonymsVersion === 4 && view.rules.length === 1 ? view : undefined;
    });
  }
  t.equal(await projection.putRule(rule('r1', 1)), false, 'a repeated event changes nothing');
  t.equal(await projection.putRule({ ...rule('r1', 2), deleted: true }), true);
  await waitFor('the delete', async () =>
    instances.every((i) => i.current().rules.length === 0) ? true : undefined,
  );
  t.equal(await projection.putRule(rule('r1', 1)), false, 'an older event cannot bring it back');
});

t.test('A change whose announcement was missed is loaded by the poll', async (t) => {
  const config = isolatedConfig(t);
  const instance = await live(t, config.redisUrl, config.redisKeyPrefix, 100);
  const redis = connection(t, config.redisUrl);
  const prefix = config.redisKeyPrefix;
  // Written as the projection would, without the PUBLISH.
  await redis.hset(merchandisingKeys.rules(prefix), 'r9', JSON.stringify(rule('r9', 1)));
  await redis.incr(merchandisingKeys.stamp(prefix));
  const view = await waitFor('the polled change', async () =>
    instance.current().rules.length === 1 ? instance.current() : undefined,
  );
  t.equal(view.rules[0]?.id, 'r9');
});

t.test('With Redis away at start, the instance starts on the initial view', async (t) => {
  const instance = await live(t, 'redis://127.0.0.1:1', 'nowhere', 100);
  t.equal(instance.current().synonymsVersion, 0);
  t.ok(instance.current().synonyms.expansions.has('sneaker'));
});
