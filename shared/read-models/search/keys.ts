/**
 * Where the search read model keeps its state in Redis, under the install's key prefix: the
 * indices a rebuild adds to the projector's write targets while it fills a new one, and the index
 * generation (a counter the projector increments after every bulk write that changed the index,
 * and the rebuild after its alias swap) with the channel on which each increment is announced.
 */
export const searchKeys = {
  extraTargets: (prefix: string): string => `${prefix}:search:extra-targets`,
  generation: (prefix: string): string => `${prefix}:search:generation`,
  generationChannel: (prefix: string): string => `${prefix}:search:generations`,
} as const;
