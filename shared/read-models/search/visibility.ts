/**
 * Announces that what the search projector wrote is searchable. A bulk write is acknowledged
 * before the index refreshes, so a generation bumped at the acknowledgement would let catalog-read
 * cache, under the new generation, an answer computed before the change was visible. Instead the
 * projector asks for an announcement after each write that changed the index; in the background
 * (no job waits on it) the announcer refreshes the index, which makes everything acknowledged
 * before visible, and only then bumps the generation. Requests made while one runs are coalesced
 * into the next, and forced refreshes are at least `minIntervalMs` apart, so a write storm costs
 * a few refreshes a second, not one per batch. A failure (engine or Redis away) is retried after
 * `retryMs` until it succeeds: a change is never left unannounced while the process lives (and a
 * restarted projector announces once at start).
 */
export interface VisibilityAnnouncerOptions {
  /** Makes every write acknowledged so far searchable (the engine's refresh). */
  readonly refresh: () => Promise<unknown>;
  /** Tells catalog-read that the index changed (the generation bump). */
  readonly announce: () => Promise<unknown>;
  readonly minIntervalMs: number;
  readonly retryMs: number;
  readonly onError?: (error: unknown) => void;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class VisibilityAnnouncer {
  private pending = false;
  private running: Promise<void> | undefined;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly options: VisibilityAnnouncerOptions) {}

  /** Some write changed the index: announce it once it is searchable. Never waits. */
  request(): void {
    if (this.closed) return;
    this.pending = true;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once nothing is pending or running (or, after close, once the current try ends). */
  async settled(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Stops retrying; an announcement in progress finishes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async run(): Promise<void> {
    while (this.pending && !this.closed) {
      const wait = this.lastStartedAt + this.options.minIntervalMs - Date.now();
      if (wait > 0) await delay(wait);
      this.pending = false;
      this.lastStartedAt = Date.now();
      try {
        await this.options.refresh();
        await this.options.announce();
      } catch (error) {
        this.options.onError?.(error);
        this.pending = true;
        if (!this.closed) await delay(this.options.retryMs);
      }
    }
  }
}
