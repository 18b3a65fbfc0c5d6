/** Storefront usage, recorded by catalog-read and inserted into ClickHouse by the analytics projector. */
export type UsageEvent =
  | {
      readonly kind: 'search';
      readonly eventId: string;
      readonly occurredAt: string;
      readonly query: string;
      readonly filters: Readonly<Record<string, unknown>>;
      readonly resultCount: number;
      readonly latencyMs: number;
    }
  | {
      readonly kind: 'view';
      /** One per product per flush of the recorder: a retried job repeats it, never a new one. */
      readonly eventId: string;
      /** The recorder's flush window (second resolution), not each view's own time. */
      readonly occurredAt: string;
      readonly productId: string;
      /**
       * Views of the product in that window, a positive integer (VIEW_COUNT_MAX at most). Absent
       * in jobs queued before views were aggregated (one event per view), which count as 1.
       */
      readonly views?: number;
    };

/** One job carries a batch: at storefront rates a job per event would cost more than the event. */
export interface UsageBatch {
  readonly events: readonly UsageEvent[];
}

/** The largest count one view event may carry: what ClickHouse's UInt32 column holds. */
export const VIEW_COUNT_MAX = 4_294_967_295;
