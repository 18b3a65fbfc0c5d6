import type { Registry } from 'prom-client';

/** A storefront search as analytics records it. */
export interface SearchUsage {
  readonly query: string;
  readonly filters: Readonly<Record<string, unknown>>;
  readonly resultCount: number;
  readonly latencyMs: number;
}

/**
 * Records storefront usage off the request path: calls return at once and never throw, whatever
 * the state of the queue behind them.
 */
export interface UsageRecorder {
  recordSearch(usage: SearchUsage): void;
  recordView(productId: string): void;
}

/** Builds the recorder once the app exists, so it can count into the app's metrics registry. */
export type UsageRecorderFactory = (metrics: Registry) => UsageRecorder & {
  close?(): Promise<void>;
};
