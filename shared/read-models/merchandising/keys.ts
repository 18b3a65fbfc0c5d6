/**
 * Where the merchandising read model lives in Redis, under the install's key prefix: the synonym
 * set (one JSON string), the rules (one hash field per rule, tombstones included), a stamp that
 * every change increments, and the channel on which each change announces the new stamp.
 */
export const merchandisingKeys = {
  synonyms: (prefix: string): string => `${prefix}:merch:synonyms`,
  rules: (prefix: string): string => `${prefix}:merch:rules`,
  stamp: (prefix: string): string => `${prefix}:merch:stamp`,
  channel: (prefix: string): string => `${prefix}:merch:changes`,
} as const;
