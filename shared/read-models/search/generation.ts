import type { Redis } from '../../stores/redis.js';
import { searchKeys } from './keys.js';

/**
 * The index's refresh interval (products.template.json, `refresh_interval`; a unit test keeps
 * the two equal): a write the engine acknowledged is searchable within it.
 */
export const SEARCH_REFRESH_INTERVAL_MS = 500;

/**
 * Records that the index changed: increments the generation, then announces it. The increment is
 * what counts (readers poll it); a lost announcement only delays them to their next poll, so its
 * failure is not the caller's.
 */
export async function bumpSearchGeneration(redis: Redis, prefix: string): Promise<number> {
  const generation = await redis.incr(searchKeys.generation(prefix));
  await redis
    .publish(searchKeys.generationChannel(prefix), String(generation))
    .catch(() => undefined);
  return generation;
}

/** The current generation; 0 before the first change was recorded. */
export async function loadSearchGeneration(redis: Redis, prefix: string): Promise<number> {
  const raw = await redis.get(searchKeys.generation(prefix));
  return raw === null ? 0 : Number(raw);
}

/**
 * What a reader knows of the generation now. `followed: false` means it cannot vouch for it
 * (Redis away, the subscription down, the last poll failed or has been out too long). `changedAt` is when
 * this reader saw `generation` become current, or started following it again after losing it.
 */
export type GenerationState =
  | { readonly followed: false }
  | { readonly followed: true; readonly generation: number; readonly changedAt: number };

export interface GenerationSource {
  current(): GenerationState;
}

export interface SearchGenerationOptions {
  readonly redis: Redis;
  /** A connection of its own: a subscribed connection can do nothing else. */
  readonly subscriber: Redis;
  readonly prefix: string;
  /** How often the generation is read; announcements usually bring a change sooner. */
  readonly pollMs: number;
  /** Called for every change of generation seen (metrics). */
  readonly onChange?: () => void;
  readonly now?: () => number;
}

/**
 * A poll that has not come back after this long (or three poll intervals, if longer) means Redis
 * is not answering. It is not measured from the last successful poll: a poll that merely starts
 * late because this process was busy says nothing about Redis (announcements that came meanwhile
 * wait in the subscriber's socket and are read in order), and treating it as a lapse made the
 * cache fall back to its short TTL exactly under load, when it matters most.
 */
export const POLL_LATE_AFTER_MS = 1_000;

/**
 * Follows the search index generation by announcement and polling, like LiveMerchandising
 * follows its stamp. Nothing here is awaited by a start or a request: until the first poll
 * succeeds, after a poll failed (until one succeeds), while a poll has been out longer than
 * max(3 × pollMs, POLL_LATE_AFTER_MS), and while the subscription is down, the state is
 * `followed: false` and the cache falls back to its short TTL.
 */
export class SearchGeneration implements GenerationSource {
  private generation: number | undefined;
  private changedAt = 0;
  private lastPollOk = false;
  /** When the poll now out started; undefined when none is. */
  private pollStartedAt: number | undefined;
  private pollAgain = false;
  /** An announcement moved the generation while the poll now out was out. */
  private announcedDuringPoll = false;
  private subscribed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly lateAfterMs: number;

  constructor(private readonly options: SearchGenerationOptions) {
    this.now = options.now ?? Date.now;
    this.lateAfterMs = Math.max(3 * options.pollMs, POLL_LATE_AFTER_MS);
  }

  current(): GenerationState {
    const now = this.now();
    if (!this.followedAt(now) || this.generation === undefined) return { followed: false };
    return { followed: true, generation: this.generation, changedAt: this.changedAt };
  }

  start(): void {
    const { subscriber, prefix, pollMs } = this.options;
    const channel = searchKeys.generationChannel(prefix);
    subscriber.on('message', (from: string, raw: string) => {
      const announced = Number(raw);
      // Only forward: an announcement can arrive after a poll already read a newer value.
      if (from !== channel || !Number.isSafeInteger(announced)) return;
      if (this.generation === undefined || announced > this.generation) {
        this.announcedDuringPoll = this.pollStartedAt !== undefined;
        this.change(announced, this.now());
      }
    });
    const down = (): void => {
      this.subscribed = false;
    };
    subscriber.on('close', down);
    subscriber.on('end', down);
    // (Re)subscribed: announcements may have been missed meanwhile, so what is known is not
    // vouched for from before this moment; a poll catches up at once.
    const subscribe = (): void =>
      void subscriber.subscribe(channel).then(
        () => {
          this.subscribed = true;
          this.changedAt = this.now();
          void this.poll();
        },
        () => undefined,
      );
    subscriber.on('ready', subscribe);
    if (subscriber.status === 'ready') subscribe();
    void this.poll();
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /**
   * One poll at a time: a Redis that hangs does not pile them up (the poll out ages instead). A
   * poll asked for while one is out runs when it ends: the one out may have read the value
   * before what the caller knows of (a resubscription) happened.
   */
  async poll(): Promise<void> {
    if (this.pollStartedAt !== undefined) {
      this.pollAgain = true;
      return;
    }
    this.pollStartedAt = this.now();
    this.announcedDuringPoll = false;
    try {
      const generation = await loadSearchGeneration(this.options.redis, this.options.prefix);
      this.apply(generation, this.now());
      this.lastPollOk = true;
    } catch {
      this.lastPollOk = false; // not followed until a poll succeeds
    } finally {
      this.pollStartedAt = undefined;
      if (this.pollAgain) {
        this.pollAgain = false;
        void this.poll();
      }
    }
  }

  /** What a poll read, at `now`. */
  private apply(generation: number, now: number): void {
    const lapsed = !this.followedAt(now);
    // The value was read before an announcement handled meanwhile: the next poll tells.
    if (this.announcedDuringPoll && this.generation !== undefined && generation < this.generation) {
      return;
    }
    // Any other difference counts (a store reset goes back to 0). After a lapse (a failed or
    // hung poll, a lost subscription) the same number is not vouched for from before: the key
    // may have been reset and climbed back meanwhile, unseen.
    if (generation !== this.generation) this.change(generation, now);
    else if (lapsed) this.changedAt = now;
  }

  private change(generation: number, now: number): void {
    const first = this.generation === undefined;
    this.generation = generation;
    this.changedAt = now;
    if (!first) this.options.onChange?.();
  }

  private followedAt(now: number): boolean {
    if (!this.subscribed || !this.lastPollOk) return false;
    return this.pollStartedAt === undefined || now - this.pollStartedAt <= this.lateAfterMs;
  }
}
