import { Counter, Gauge, type Registry } from 'prom-client';

/** A published product's detail as the route serves it: the response body, its ETag, its version. */
export interface DetailEntry {
  readonly body: Buffer;
  readonly etag: string;
  readonly version: number;
}

/**
 * What the detail projector announces, as a consumer sees it. `lost` means announcements may be
 * missed from now on (the subscription is down); `restored` means the subscription is confirmed
 * again and every announcement from now on arrives.
 */
export interface AnnouncementListener {
  announced(id: string, version: number): void;
  lost(): void;
  restored(): void;
}

export interface AnnouncementSource {
  /** Adds a listener; it is told `restored` at once if the subscription is already live. */
  listen(listener: AnnouncementListener): void;
}

/** Bytes an entry costs beyond its body: key, ETag, the Map slot and the objects around them. */
const ENTRY_OVERHEAD_BYTES = 200;

const entryBytes = (id: string, entry: DetailEntry) =>
  entry.body.length + entry.etag.length + id.length + ENTRY_OVERHEAD_BYTES;

/** A held entry and whether it was served since eviction last looked at it. */
interface Slot {
  readonly entry: DetailEntry;
  used: boolean;
}

/** A Redis read in flight: what announcements for its product said while it was away. */
interface Fill {
  /** Highest version announced for the product since the first read in flight began. */
  floor: number;
  pending: number;
}

/** A read in flight, from `beginFill` to `endFill`. */
export interface FillTicket {
  readonly id: string;
  readonly epoch: number;
}

export interface DetailCacheCounts {
  hits: number;
  misses: number;
  /** Lookups while the subscription was down, so the cache could not be trusted. */
  bypasses: number;
  evictedByAnnouncement: number;
  evictedByCapacity: number;
  evictedBySubscription: number;
  fillsStored: number;
  /** Reads that came back older than (or as old as) an announcement made while they ran. */
  fillsDiscarded: number;
}

/**
 * The detail documents recently served, in process memory, bounded in bytes and kept exact by
 * the projector's announcements. Eviction is second-chance FIFO (an approximation of LRU that
 * costs a hit one Map lookup and a flag, where LRU would reorder the Map on every hit):
 *
 * - an announcement of (id, v) drops a held entry at version ≤ v (equal too: a repair rewrites
 *   a version in place), so nothing older is served once the announcement has arrived;
 * - a Redis read that began before an announcement and returns after it is not stored unless it
 *   is newer than every version announced meanwhile (it may hold the bytes just replaced);
 * - while the subscription is down nothing is served or stored, and the entries are dropped, since
 *   announcements may be missed; reads begun before it came back are not stored either.
 */
export class DetailCache implements AnnouncementListener {
  private readonly entries = new Map<string, Slot>();
  private readonly fills = new Map<string, Fill>();
  private bytes = 0;
  private live = false;
  /** Changes whenever the subscription goes or comes back: a ticket of another epoch is void. */
  private epoch = 0;
  readonly counts: DetailCacheCounts = {
    hits: 0,
    misses: 0,
    bypasses: 0,
    evictedByAnnouncement: 0,
    evictedByCapacity: 0,
    evictedBySubscription: 0,
    fillsStored: 0,
    fillsDiscarded: 0,
  };

  constructor(private readonly maxBytes: number) {}

  /** The held entry of a product, if the cache is live and holds one; counts a hit or a miss. */
  get(id: string): DetailEntry | undefined {
    if (!this.live) {
      this.counts.bypasses += 1;
      return undefined;
    }
    const slot = this.entries.get(id);
    if (slot === undefined) {
      this.counts.misses += 1;
      return undefined;
    }
    this.counts.hits += 1;
    slot.used = true;
    return slot.entry;
  }

  /** Call right before reading the product from Redis. */
  beginFill(id: string): FillTicket {
    const fill = this.fills.get(id);
    if (fill === undefined) this.fills.set(id, { floor: 0, pending: 1 });
    else fill.pending += 1;
    return { id, epoch: this.epoch };
  }

  /**
   * Call once the read is back (also when it failed: `read` undefined). Stores a published
   * document unless an announcement or the subscription made it doubtful meanwhile.
   */
  endFill(ticket: FillTicket, read: DetailEntry | undefined): void {
    const fill = this.fills.get(ticket.id);
    const floor = fill?.floor ?? 0;
    if (fill !== undefined && --fill.pending === 0) this.fills.delete(ticket.id);
    if (read === undefined || this.maxBytes <= 0) return;
    if (!this.live || ticket.epoch !== this.epoch || read.version <= floor) {
      this.counts.fillsDiscarded += 1;
      return;
    }
    const held = this.entries.get(ticket.id)?.entry;
    if (held !== undefined && held.version >= read.version) return;
    const size = entryBytes(ticket.id, read);
    if (size > this.maxBytes) return;
    if (held !== undefined) this.remove(ticket.id, held);
    this.entries.set(ticket.id, { entry: read, used: false });
    this.bytes += size;
    this.counts.fillsStored += 1;
    this.evictOverCapacity();
  }

  announced(id: string, version: number): void {
    const held = this.entries.get(id)?.entry;
    if (held !== undefined && held.version <= version) {
      this.remove(id, held);
      this.counts.evictedByAnnouncement += 1;
    }
    const fill = this.fills.get(id);
    if (fill !== undefined && version > fill.floor) fill.floor = version;
  }

  lost(): void {
    this.live = false;
    this.epoch += 1;
    this.clear();
  }

  restored(): void {
    this.clear();
    this.epoch += 1;
    this.live = true;
  }

  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private clear(): void {
    this.counts.evictedBySubscription += this.entries.size;
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(id: string, entry: DetailEntry): void {
    this.entries.delete(id);
    this.bytes -= entryBytes(id, entry);
  }

  /** Oldest first; an entry served since it was last looked at goes to the back once instead. */
  private evictOverCapacity(): void {
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) return;
      const [id, slot] = oldest.value;
      this.entries.delete(id);
      if (slot.used) {
        slot.used = false;
        this.entries.set(id, slot);
      } else {
        this.bytes -= entryBytes(id, slot.entry);
        this.counts.evictedByCapacity += 1;
      }
    }
  }
}

/**
 * Exports the cache's counts on /metrics. The request path only bumps plain numbers; the metrics
 * read them when scraped.
 */
export function registerDetailCacheMetrics(cache: DetailCache, registry: Registry): void {
  const { counts } = cache;
  new Counter({
    name: 'aisle_detail_cache_lookups_total',
    help: 'Product detail lookups in the in-process cache: hit, miss, or bypass (subscription down).',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'hit' }, counts.hits);
      this.inc({ outcome: 'miss' }, counts.misses);
      this.inc({ outcome: 'bypass' }, counts.bypasses);
    },
  });
  new Counter({
    name: 'aisle_detail_cache_evictions_total',
    help: 'Entries dropped from the detail cache: by a version announcement, for capacity, or because the announcement subscription went down.',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'announcement' }, counts.evictedByAnnouncement);
      this.inc({ reason: 'capacity' }, counts.evictedByCapacity);
      this.inc({ reason: 'subscription' }, counts.evictedBySubscription);
    },
  });
  new Counter({
    name: 'aisle_detail_cache_fills_total',
    help: 'Redis reads offered to the detail cache: stored, or discarded (an announcement or a reconnection came while the read was in flight).',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'stored' }, counts.fillsStored);
      this.inc({ outcome: 'discarded' }, counts.fillsDiscarded);
    },
  });
  new Gauge({
    name: 'aisle_detail_cache_bytes',
    help: 'Bytes held by the detail cache (bodies, ETags, keys and an estimate of the overhead).',
    registers: [registry],
    collect() {
      this.set(cache.size.bytes);
    },
  });
  new Gauge({
    name: 'aisle_detail_cache_entries',
    help: 'Product documents held by the detail cache.',
    registers: [registry],
    collect() {
      this.set(cache.size.entries);
    },
  });
}
