import type { Ack } from './load.js';
import { readModels, type ReadModel, type VersionsOf } from './read-models.js';

/** When each acknowledged command became visible in each read model (ms since epoch). */
export interface Visibility {
  readonly ack: Ack;
  readonly visibleAt: Partial<Record<ReadModel, number>>;
}

export interface StalenessObserver {
  /** Starts tracking one acknowledgement. */
  track(ack: Ack): void;
  readonly visibility: readonly Visibility[];
  /** Acknowledgements not yet visible in every read model. */
  pending(): number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the read models for every acknowledged command until its version (or a later one) is
 * visible there: the largest commit→visible time per read model is its staleness. The poll
 * interval bounds the precision.
 */
export function observeStaleness(versionsOf: VersionsOf, intervalMs = 250): StalenessObserver {
  const visibility: Visibility[] = [];
  let waiting: Visibility[] = [];
  let running = true;
  const poll = async () => {
    if (waiting.length === 0) return;
    const ids = [...new Set(waiting.map((v) => v.ack.id))];
    const versions = await versionsOf(ids);
    const now = Date.now();
    for (const entry of waiting) {
      for (const model of readModels) {
        const seen = versions[model].get(entry.ack.id) ?? 0;
        if (entry.visibleAt[model] === undefined && seen >= entry.ack.version) {
          entry.visibleAt[model] = now;
        }
      }
    }
    waiting = waiting.filter((v) => readModels.some((m) => v.visibleAt[m] === undefined));
  };
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      // A failed poll (a read model's store being slow) is simply tried again.
      await poll().catch(() => undefined);
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  })();
  return {
    track(ack) {
      const entry = { ack, visibleAt: {} };
      visibility.push(entry);
      waiting.push(entry);
    },
    visibility,
    pending: () => waiting.length,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The largest commit→visible time per read model, in ms (undefined: something never showed). */
export function maxStaleness(
  visibility: readonly Visibility[],
): Record<ReadModel, number | undefined> {
  const result = { search: 0, detail: 0, analytics: 0 } as Record<ReadModel, number | undefined>;
  for (const { ack, visibleAt } of visibility) {
    for (const model of readModels) {
      const at = visibleAt[model];
      const current = result[model];
      if (at === undefined) result[model] = undefined;
      else if (current !== undefined) result[model] = Math.max(current, at - ack.at);
    }
  }
  return result;
}

/**
 * Time to heal after a fault ended: until every command acknowledged before then was visible in
 * every read model (0 when nothing was behind). Undefined when some never became visible.
 */
export function healTime(visibility: readonly Visibility[], endedAt: number): number | undefined {
  let latest = endedAt;
  for (const { ack, visibleAt } of visibility) {
    if (ack.at > endedAt) continue;
    for (const model of readModels) {
      const at = visibleAt[model];
      if (at === undefined) return undefined;
      latest = Math.max(latest, at);
    }
  }
  return latest - endedAt;
}
