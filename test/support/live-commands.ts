/**
 * Live traffic for the rebuild tests: write commands keep arriving while a rebuild runs, and a
 * search engine whose bulk writes are slowed so that the commands overlap a long backfill.
 */
import type { SearchEngine } from '../../shared/stores/search/engine.js';

export interface LiveCommands {
  /** Commands answered so far (409 of a lost race and 422 of a refused change included). */
  readonly sent: number;
  /** 5xx answers: a command the service failed. */
  readonly errors: string[];
  /** Stops every worker after its current command. */
  stop(): Promise<void>;
}

/** `workers` loops calling `send(worker, step)` one command at a time until stopped. */
export function liveCommands(
  workers: number,
  send: (worker: number, step: number) => Promise<{ statusCode: number; body: string }>,
): LiveCommands {
  let stopped = false;
  let sent = 0;
  const errors: string[] = [];
  const worker = async (w: number) => {
    for (let k = 0; !stopped; k++) {
      const res = await send(w, k);
      if (res.statusCode >= 500) errors.push(`${res.statusCode} ${res.body}`);
      else sent++;
      // Yield a little, so the workers do not starve the rebuild of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  const running = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    get sent() {
      return sent;
    },
    errors,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** The real engine, with each bulk request slowed so live commands overlap a long backfill. */
export function slowedBulkIndex(engine: SearchEngine, ms: number): SearchEngine {
  return {
    ...engine,
    bulkIndex: async (index, documents) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return engine.bulkIndex(index, documents);
    },
  };
}
