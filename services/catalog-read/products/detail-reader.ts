import type { Registry } from 'prom-client';
import {
  DetailCache,
  registerDetailCacheMetrics,
  type AnnouncementSource,
  type DetailEntry,
} from '../../../shared/read-models/detail/cache.js';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import type { Redis } from '../../../shared/stores/redis.js';

/** What Redis holds for a product: its version (0: never seen), and its document if published. */
export interface StoredDetail {
  readonly version: number;
  readonly entry: DetailEntry | undefined;
}

export interface DetailReaderOptions {
  readonly redis: Redis;
  readonly keyPrefix: string;
  readonly announcements: AnnouncementSource;
  /** 0: no in-process cache, every read goes to Redis. */
  readonly cacheMaxBytes: number;
  readonly registry: Registry;
}

/**
 * The detail read path: the in-process cache when it holds the product, else one HMGET of the
 * bytes the projector rendered (stored in the cache on the way back, unless an announcement made
 * them doubtful meanwhile).
 */
export class DetailReader {
  private readonly cache: DetailCache | undefined;

  constructor(private readonly options: DetailReaderOptions) {
    if (options.cacheMaxBytes > 0) {
      const cache = new DetailCache(options.cacheMaxBytes);
      options.announcements.listen(cache);
      registerDetailCacheMetrics(cache, options.registry);
      this.cache = cache;
    }
  }

  /** The cached document, when held and at least `minVersion`; no I/O. */
  cached(id: string, minVersion: number | undefined): DetailEntry | undefined {
    const entry = this.cache?.get(id);
    if (entry === undefined || (minVersion !== undefined && entry.version < minVersion)) {
      return undefined;
    }
    return entry;
  }

  /** One Redis read, offered to the cache. */
  async read(id: string): Promise<StoredDetail> {
    const ticket = this.cache?.beginFill(id);
    let stored: StoredDetail | undefined;
    try {
      stored = await this.readRedis(id);
      return stored;
    } finally {
      if (ticket !== undefined) this.cache?.endFill(ticket, stored?.entry);
    }
  }

  private async readRedis(id: string): Promise<StoredDetail> {
    const key = detailKeys.product(this.options.keyPrefix, id);
    const [body, etag, version] = await this.options.redis.hmgetBuffer(
      key,
      'body',
      'etag',
      'version',
    );
    const v = version ? Number(version.toString()) : 0;
    // A tombstone (unpublished or deleted) keeps its version with an empty body and ETag.
    if (!body || body.length === 0 || !etag || etag.length === 0) {
      return { version: v, entry: undefined };
    }
    return { version: v, entry: { body, etag: etag.toString(), version: v } };
  }
}
