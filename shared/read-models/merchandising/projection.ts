import type { CatalogEvent } from '../../events/catalog-events.js';
import type { SearchRuleSnapshot, SynonymSetSnapshot } from '../../events/merchandising-events.js';
import type { Redis } from '../../stores/redis.js';
import { merchandisingKeys } from './keys.js';

/**
 * Keeps a version per aggregate and never lowers it (an older event delivered late is stale),
 * then bumps the stamp and announces it, so that every catalog-read reloads the set. The synonym
 * set is a string key; rules are fields of one hash. KEYS: the value's key, the stamp. ARGV:
 * version, JSON, channel, '1' to overwrite an equal version (repairs), the hash field ('' for
 * the string key).
 */
const PUT_VERSIONED = `
local field = ARGV[5]
local current
if field == '' then current = redis.call('GET', KEYS[1]) else current = redis.call('HGET', KEYS[1], field) end
if current then
  local held = tonumber(cjson.decode(current)['version'])
  local incoming = tonumber(ARGV[1])
  if held > incoming or (held == incoming and ARGV[4] ~= '1') then return 0 end
end
if field == '' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('HSET', KEYS[1], field, ARGV[2]) end
redis.call('PUBLISH', ARGV[3], redis.call('INCR', KEYS[2]))
return 1
`;

/**
 * Removes what the write model does not have (repairs only: no event ever removes anything), and
 * announces it like a put, so every catalog-read drops it. KEYS: the synonyms key, the rules key,
 * the stamp. ARGV: channel, '1' to remove the synonym set, then the rule ids.
 */
const REMOVE = `
local removed = 0
if ARGV[2] == '1' then removed = removed + redis.call('DEL', KEYS[1]) end
for i = 3, #ARGV do removed = removed + redis.call('HDEL', KEYS[2], ARGV[i]) end
if removed > 0 then redis.call('PUBLISH', ARGV[1], redis.call('INCR', KEYS[3])) end
return removed
`;

interface MerchandisingCommands {
  aislePutMerchandising(
    key: string,
    stamp: string,
    version: number,
    json: string,
    channel: string,
    overwriteEqual: '1' | '0',
    /** The rule id for a rule, '' for the synonym set. */
    field: string,
  ): Promise<number>;
  aisleRemoveMerchandising(
    synonymsKey: string,
    rulesKey: string,
    stamp: string,
    channel: string,
    synonyms: '1' | '0',
    ...ruleIds: string[]
  ): Promise<number>;
}

export interface MerchandisingProjection {
  /** Resolves true when the event changed the read model; other aggregates are not its own. */
  apply(event: CatalogEvent): Promise<boolean>;
  putSynonyms(snapshot: SynonymSetSnapshot): Promise<boolean>;
  /** A deleted rule is put as its tombstone, so an older event cannot bring it back. */
  putRule(snapshot: SearchRuleSnapshot): Promise<boolean>;
  /** Repairs: removes the synonym set and/or these rules; resolves how many were there. */
  remove(what: {
    readonly synonyms: boolean;
    readonly ruleIds: readonly string[];
  }): Promise<number>;
}

export function merchandisingProjection(
  redis: Redis,
  prefix: string,
  options: { readonly overwriteEqual?: boolean } = {},
): MerchandisingProjection {
  redis.defineCommand('aislePutMerchandising', { numberOfKeys: 2, lua: PUT_VERSIONED });
  redis.defineCommand('aisleRemoveMerchandising', { numberOfKeys: 3, lua: REMOVE });
  const commands = redis as unknown as MerchandisingCommands;
  const overwriteEqual = options.overwriteEqual === true ? '1' : '0';
  const stamp = merchandisingKeys.stamp(prefix);
  const channel = merchandisingKeys.channel(prefix);

  const putSynonyms = async (snapshot: SynonymSetSnapshot) =>
    (await commands.aislePutMerchandising(
      merchandisingKeys.synonyms(prefix),
      stamp,
      snapshot.version,
      JSON.stringify(snapshot),
      channel,
      overwriteEqual,
      '',
    )) === 1;

  const putRule = async (snapshot: SearchRuleSnapshot) =>
    (await commands.aislePutMerchandising(
      merchandisingKeys.rules(prefix),
      stamp,
      snapshot.version,
      JSON.stringify(snapshot),
      channel,
      overwriteEqual,
      snapshot.id,
    )) === 1;

  return {
    apply: async (event) => {
      switch (event.aggregate) {
        case 'synonyms':
          return putSynonyms(event.snapshot);
        case 'search-rule':
          return putRule(event.snapshot);
        default:
          return false;
      }
    },
    putSynonyms,
    putRule,
    remove: ({ synonyms, ruleIds }) =>
      commands.aisleRemoveMerchandising(
        merchandisingKeys.synonyms(prefix),
        merchandisingKeys.rules(prefix),
        stamp,
        channel,
        synonyms ? '1' : '0',
        ...ruleIds,
      ),
  };
}
