/**
 * Gathers items added one at a time (one per BullMQ job) into batches, flushed when full or
 * after a short wait, and settles each item's own promise with its own outcome. A failure of one
 * item therefore fails only that item's job; a failure of the whole flush fails every item in it.
 */
export type ItemOutcome = { readonly ok: true } | { readonly ok: false; readonly error: Error };

export interface BatcherOptions<T> {
  readonly maxItems: number;
  readonly maxWaitMs: number;
  readonly flush: (items: readonly T[]) => Promise<readonly ItemOutcome[]>;
}

interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class Batcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatcherOptions<T>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxItems) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    });
  }

  /** Flushes what is pending and waits for every flush in flight (used when draining). */
  async drain(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const done = this.settle(batch).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private async settle(batch: readonly Pending<T>[]): Promise<void> {
    try {
      const outcomes = await this.options.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined)
          p.reject(new Error('the batch returned no outcome for this item'));
        else if (outcome.ok) p.resolve();
        else p.reject(outcome.error);
      });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const p of batch) p.reject(failure);
    }
  }
}
