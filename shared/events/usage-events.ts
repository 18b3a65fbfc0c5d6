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
      readonly eventId: string;
      readonly occurredAt: string;
      readonly productId: string;
    };

/** One job carries a batch: at storefront rates a job per event would cost more than the event. */
export interface UsageBatch {
  readonly events: readonly UsageEvent[];
}
