import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { CatalogEvent } from '../../../shared/events/catalog-events.js';
import type { SearchRuleSnapshot } from '../../../shared/events/merchandising-events.js';
import { memoryOutput } from '../../../shared/cli/output.js';
import { initialSynonyms } from '../../../shared/read-models/merchandising/initial.js';
import { merchandisingKeys } from '../../../shared/read-models/merchandising/keys.js';
import { LiveMerchandising } from '../../../shared/read-models/merchandising/live.js';
import { currentView, loadMerchandising } from '../../../shared/read-models/merchandising/load.js';
import { merchandisingProjection } from '../../../shared/read-models/merchandising/projection.js';
import { rebuildMerchandising } from '../../../shared/read-models/merchandising/rebuild.js';
import { openRedis, type Redis } from '../../../shared/stores/redis.js';
import {
  loadRulePage,
  loadSynonymSet,
} from '../../../shared/write-model/merchandising/repository.js';
import { writeHarness, type WriteHarness } from '../../../test/support/catalog-write.js';
import type { Teardowns } from '../../../test/support/isolation.js';
import { silentLogger } from '../../../test/support/logger.js';
import { createProduct } from '../../../test/support/merchandising.js';
import { waitFor } from '../../../test/support/wait.js';
import { verify, type VerifyStores } from './verify.js';

const RULES = '/admin/v1/search/rules';

async function admin(
  h: WriteHarness,
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: object,
  version?: number,
) {
  const res = await h.admin({
    method,
    url,
    ...(body === undefined ? {} : { payload: body }),
    headers: version === undefined ? {} : { 'if-match': `"${version}"` },
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}

/**
 * A write side with history: the synonym set at version 2, rules A and B changed or live, C
 * deleted (a tombstone at version 2), D live; every event applied as the detail projector does.
 */
async function merchandisingWithHistory(t: Teardowns) {
  const h = await writeHarness(t);
  const redisHandle = openRedis(h.config.redisUrl);
  t.teardown(() => redisHandle.close());
  const redis = redisHandle.client;
  const prefix = h.config.redisKeyPrefix;
  const [p1, p2, p3] = [await createProduct(h), await createProduct(h), await createProduct(h)];
  const synonyms = '/admin/v1/search/synonyms';
  await admin(h, 'PUT', synonyms, { lines: ['sneakers, trainers'] }, 0);
  await admin(h, 'PUT', synonyms, { lines: ['# ours', 'parka, anorak => jacket'] }, 1);
  const rule = (query: string, pin: string[], hide: string[] = []) =>
    admin(h, 'POST', RULES, { query, match: 'exact', pin, hide }).then((r) => r.id);
  const a = await rule('rain boots', [p1 ?? '']);
  const b = await rule('jacket', [], [p2 ?? '']);
  const c = await rule('sale', [p3 ?? '']);
  const d = await rule('wellies', [p1 ?? '', p3 ?? '']);
  await admin(h, 'PATCH', `${RULES}/${a}`, { pin: [p2] }, 1);
  await admin(h, 'DELETE', `${RULES}/${c}`, undefined, 1);

  const projection = merchandisingProjection(redis, prefix);
  const events = (await h.outboxEvents()).map((row) => row.payload as unknown as CatalogEvent);
  for (const event of events) await projection.apply(event);
  /** The snapshot an event of this rule carried at this version (to put older states back). */
  const ruleAt = (id: string, version: number) =>
    events.find((e) => e.aggregate === 'search-rule' && e.ruleId === id && e.version === version)
      ?.snapshot as SearchRuleSnapshot;
  return { h, redis, prefix, projection, events, ruleAt, ids: { a, b, c, d } };
}

const byId = (rules: readonly SearchRuleSnapshot[]) =>
  [...rules].sort((x, y) => (x.id < y.id ? -1 : 1));

/** What the write model holds, in the shape the read model stores it. */
async function writeSide(h: WriteHarness) {
  return {
    synonyms: await loadSynonymSet(h.pool),
    rules: byId(await loadRulePage(h.pool, null, 1_000)),
  };
}

async function readSide(redis: Redis, prefix: string) {
  const stored = await loadMerchandising(redis, prefix);
  return { synonyms: stored.synonyms, rules: byId(stored.rules) };
}

t.test('rebuild puts back exactly what the write side holds, tombstones stay', async (t) => {
  const { h, redis, prefix, projection, ruleAt, ids } = await merchandisingWithHistory(t);
  t.same(await readSide(redis, prefix), await writeSide(h), 'the projected events agree');

  const subscriber = openRedis(h.config.redisUrl);
  t.teardown(() => subscriber.close());
  // As catalog-read keeps it; the poll is too slow to matter, so the announcement must reload it.
  const live = new LiveMerchandising({
    redis,
    subscriber: subscriber.client,
    prefix,
    initial: initialSynonyms(),
    pollMs: 600_000,
    logger: silentLogger,
  });
  await live.start();
  t.teardown(() => live.close());
  t.equal(live.current().synonymsVersion, 2);

  // FLUSH of the merchandising keys: catalog-read would be back on the initial file, no rules.
  await redis.del(merchandisingKeys.synonyms(prefix), merchandisingKeys.rules(prefix));
  const report = await rebuildMerchandising(
    { config: h.config, redis, pool: h.pool },
    { pageSize: 1 },
  );
  t.same(report, {
    synonyms: 'written',
    synonymsVersion: 2,
    rules: 4,
    tombstones: 1,
    newerLive: 0,
    replacedCorrupt: 0,
    orphansRemoved: 0,
  });
  t.same(await readSide(redis, prefix), await writeSide(h), 'exactly the write side');
  const view = await currentView(redis, prefix, initialSynonyms());
  t.equal(view.synonymsVersion, 2);
  t.ok(view.synonyms.expansions.has('parka'));
  t.same(view.rules.map((r) => r.id).sort(), [ids.a, ids.b, ids.d].sort(), 'C is deleted');
  await waitFor('the live view to reload the rebuilt model', async () => {
    const current = live.current();
    return current.synonymsVersion === 2 && current.rules.length === 3 ? true : undefined;
  });

  // An older event delivered late (a replayed dead letter) cannot bring the deleted rule back.
  t.equal(await projection.putRule(ruleAt(ids.c, 1)), false);
  t.equal(await projection.putRule(ruleAt(ids.a, 1)), false);
  t.same(await readSide(redis, prefix), await writeSide(h), 'the tombstone held');

  // Wrong versions, an unreadable rule and a rule Postgres never had; a newer live one is kept.
  const rulesKey = merchandisingKeys.rules(prefix);
  await redis.set(merchandisingKeys.synonyms(prefix), JSON.stringify({ version: 1, lines: [] }));
  await redis.hset(rulesKey, ids.a, JSON.stringify(ruleAt(ids.a, 1)));
  await redis.hset(rulesKey, ids.b, 'not json');
  await redis.hset(rulesKey, ids.c, JSON.stringify(ruleAt(ids.c, 1)));
  const stray = randomUUID();
  await redis.hset(rulesKey, stray, JSON.stringify({ ...ruleAt(ids.d, 1), id: stray }));
  const newer = { ...ruleAt(ids.d, 1), version: 7 };
  await redis.hset(rulesKey, ids.d, JSON.stringify(newer));
  const again = await rebuildMerchandising({ config: h.config, redis, pool: h.pool });
  t.match(again, {
    synonyms: 'written',
    rules: 4,
    newerLive: 1,
    replacedCorrupt: 1,
    orphansRemoved: 1,
  });
  const expected = await writeSide(h);
  t.same(await readSide(redis, prefix), {
    ...expected,
    rules: expected.rules.map((r) => (r.id === ids.d ? newer : r)),
  });
});

t.test('with no synonym set stored, rebuild puts none and the initial file applies', async (t) => {
  const h = await writeHarness(t);
  const redisHandle = openRedis(h.config.redisUrl);
  t.teardown(() => redisHandle.close());
  const redis = redisHandle.client;
  const deps = { config: h.config, redis, pool: h.pool };
  const prefix = h.config.redisKeyPrefix;
  const rule = await admin(h, 'POST', RULES, {
    query: 'boots',
    match: 'exact',
    pin: [await createProduct(h)],
  });

  t.match(await rebuildMerchandising(deps), { synonyms: 'none', synonymsVersion: null, rules: 1 });
  t.same(await readSide(redis, prefix), await writeSide(h));
  const view = await currentView(redis, prefix, initialSynonyms());
  t.equal(view.synonymsVersion, 0, 'the initial file');
  t.same(
    view.rules.map((r) => r.id),
    [rule.id],
  );

  // A set Redis holds that Postgres does not (a restored write model) is removed.
  const stray = JSON.stringify({
    version: 3,
    lines: ['a, b'],
    updatedAt: new Date().toISOString(),
  });
  await redis.set(merchandisingKeys.synonyms(prefix), stray);
  const stores: VerifyStores = { pool: h.pool, redis, redisKeyPrefix: prefix, searchAlias: '' };
  const found = await verify(
    stores,
    { projections: ['merchandising'], repair: false },
    memoryOutput(),
  );
  t.same(found.projections.merchandising?.examples.orphan, ['synonyms']);
  t.match(await rebuildMerchandising(deps), { synonyms: 'removed' });
  t.equal(await redis.exists(merchandisingKeys.synonyms(prefix)), 0);
});

t.test('verify finds each kind of merchandising drift and --repair removes it', async (t) => {
  const { h, redis, prefix, ruleAt, ids } = await merchandisingWithHistory(t);
  const stores: VerifyStores = { pool: h.pool, redis, redisKeyPrefix: prefix, searchAlias: '' };
  const run = async (repair: boolean) => {
    const out = memoryOutput();
    const report = await verify(
      stores,
      { projections: ['merchandising'], repair, pageSize: 2 },
      out,
    );
    return { drift: report.projections.merchandising, text: out.text(), report };
  };

  const clean = await run(false);
  t.equal(clean.report.drift, false);
  t.match(clean.text, /^merchandising {2}in sync$/m);

  const rulesKey = merchandisingKeys.rules(prefix);
  const d = JSON.parse((await redis.hget(rulesKey, ids.d)) ?? '{}') as SearchRuleSnapshot;
  const stray = randomUUID();
  await redis.del(merchandisingKeys.synonyms(prefix)); // missing
  await redis.hset(rulesKey, ids.a, JSON.stringify(ruleAt(ids.a, 1))); // stale
  await redis.hdel(rulesKey, ids.b); // missing
  await redis.hset(rulesKey, ids.c, JSON.stringify(ruleAt(ids.c, 1))); // the deleted rule, live
  await redis.hset(rulesKey, ids.d, JSON.stringify({ ...d, pin: [] })); // other content
  await redis.hset(rulesKey, stray, JSON.stringify({ ...d, id: stray })); // never in Postgres

  const expected = {
    missing: ['synonyms', ids.b].sort(),
    stale: [ids.a, ids.c].sort(),
    ahead: [],
    mismatch: [ids.d],
    orphan: [stray],
  };
  const sortedExamples = (drift: typeof clean.drift) =>
    Object.fromEntries(Object.entries(drift?.examples ?? {}).map(([k, v]) => [k, [...v].sort()]));
  const found = await run(false);
  t.equal(found.report.drift, true);
  t.same(sortedExamples(found.drift), expected);
  t.match(
    found.text,
    /^merchandising {2}drift: 2 missing, 2 stale, 0 ahead, 1 content mismatch, 1 orphan \(no such rule or synonym set in Postgres\)$/m,
  );

  const repaired = await run(true);
  t.same(sortedExamples(repaired.drift), expected, 'the repair run reports what it found');
  t.match(repaired.drift, { repaired: 6, unrepaired: 0, errors: [] });
  t.same(await readSide(redis, prefix), await writeSide(h), 'exactly the write side again');
  const view = await currentView(redis, prefix, initialSynonyms());
  t.same(view.rules.map((r) => r.id).sort(), [ids.a, ids.b, ids.d].sort(), 'C stays deleted');
  t.equal((await run(false)).report.drift, false);

  // A stale synonym set is repaired; a rule ahead of the write model is reported, left alone.
  const set = await loadSynonymSet(h.pool);
  await redis.set(merchandisingKeys.synonyms(prefix), JSON.stringify({ ...set, version: 1 }));
  await redis.hset(rulesKey, ids.a, JSON.stringify({ ...ruleAt(ids.a, 2), version: 9 }));
  const partly = await run(true);
  t.same(sortedExamples(partly.drift), {
    missing: [],
    stale: ['synonyms'],
    ahead: [ids.a],
    mismatch: [],
    orphan: [],
  });
  t.match(partly.drift, { repaired: 1, unrepaired: 1 });
  t.same((await readSide(redis, prefix)).synonyms, set);
});
