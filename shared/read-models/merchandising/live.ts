import type { Logger } from '../../logging/logger.js';
import type { Redis } from '../../stores/redis.js';
import type { Synonyms } from '../search/query/synonyms.js';
import { merchandisingKeys } from './keys.js';
import { loadMerchandising, loadStamp } from './load.js';
import { initialView, viewOf, type MerchandisingView } from './view.js';

export interface LiveMerchandisingOptions {
  readonly redis: Redis;
  /** A connection of its own: a subscribed connection can do nothing else. */
  readonly subscriber: Redis;
  readonly prefix: string;
  /** The initial synonyms (the repo's file), in force until a set has been projected. */
  readonly initial: Synonyms;
  /**
   * How often the stamp is compared with the loaded one. Announcements are fire-and-forget (a
   * message sent while the subscription is down is lost), so this bounds how long a missed one
   * can leave an instance behind.
   */
  readonly pollMs: number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/**
 * The merchandising an instance searches with, kept current without a restart: reloaded when the
 * projector announces a change, and when the polled stamp differs from the loaded one. A reload
 * that fails keeps the last view (searches go on with it) and is retried by the next poll.
 */
export class LiveMerchandising {
  private view: MerchandisingView;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: LiveMerchandisingOptions) {
    this.view = initialView(options.initial);
  }

  current(): MerchandisingView {
    return this.view;
  }

  /** Subscribes and loads once; resolves even when Redis is away (the poll catches up). */
  async start(): Promise<void> {
    const { subscriber, prefix, pollMs } = this.options;
    const channel = merchandisingKeys.channel(prefix);
    subscriber.on('message', (from: string, stamp: string) => {
      if (from === channel && stamp !== this.view.stamp) void this.reload();
    });
    // Subscribing (again, after a reconnection) is followed by a reload, so what was announced
    // while not subscribed is not missed. Never awaited: with Redis away the start goes on with
    // the initial view, and the poll and the next 'ready' catch up.
    const subscribe = (): void =>
      void subscriber.subscribe(channel).then(
        () => this.reload(),
        () => undefined,
      );
    subscriber.on('ready', subscribe);
    if (subscriber.status === 'ready') subscribe();
    await this.reload();
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Loads now (one load at a time; a request during a load runs once more after it). */
  reload(): Promise<void> {
    if (this.loading !== undefined) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private async poll(): Promise<void> {
    try {
      const stamp = await loadStamp(this.options.redis, this.options.prefix);
      if (stamp !== this.view.stamp) await this.reload();
    } catch {
      // Redis away: the view stays; the next poll tries again.
    }
  }

  private async load(): Promise<void> {
    const { redis, prefix, logger } = this.options;
    try {
      const { view, synonymError } = viewOf(
        await loadMerchandising(redis, prefix),
        this.view,
        this.options.initial,
      );
      if (synonymError !== undefined) {
        logger.error({ err: synonymError }, 'the stored synonym set does not parse; kept the last');
      }
      if (view.stamp !== this.view.stamp) {
        logger.info(
          { stamp: view.stamp, synonymsVersion: view.synonymsVersion, rules: view.rules.length },
          'merchandising loaded',
        );
      }
      this.view = view;
    } catch (error) {
      logger.warn({ err: error }, 'merchandising could not be loaded; searching with the last');
    }
  }
}
