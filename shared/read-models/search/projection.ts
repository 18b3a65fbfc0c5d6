import { UnrecoverableError } from 'bullmq';
import { TransientStoreError } from '../../stores/transient.js';
import type { CatalogEvent } from '../../events/catalog-events.js';
import { Batcher, type ItemOutcome } from '../../projection/batcher.js';
import { searchDocument } from './document.js';
import type {
  BulkItemResult,
  SearchEngine,
  VersionedDocument,
} from '../../stores/search/engine.js';

/**
 * 2xx: applied. 409: the index holds this version or a newer one (a duplicate or a stale
 * event), which is what the projection wants, so it counts as applied. 400: the document itself
 * is refused (a poison event): retrying cannot help, so it goes to the dead-letter state. Anything
 * else (429, 5xx) is retried.
 */
export function itemOutcome(result: BulkItemResult): ItemOutcome {
  if ((result.status >= 200 && result.status < 300) || result.status === 409) return { ok: true };
  const message =
    `search refused the document: ${result.status} ${result.errorType ?? ''} ${result.reason ?? ''}`.trim();
  if (result.status === 400) return { ok: false, error: new UnrecoverableError(message) };
  // Overloaded or failing: the projection pauses until the engine takes writes again.
  if (result.status === 429 || result.status >= 500) {
    return { ok: false, error: new TransientStoreError(message) };
  }
  return { ok: false, error: new Error(message) };
}

export interface SearchProjection {
  apply(event: CatalogEvent): Promise<void>;
  drain(): Promise<void>;
}

/**
 * Product events become externally versioned documents written through the alias, batched into
 * bulk requests. `targets` lists where to write: normally the alias; during a rebuild also the
 * new index, so no update is lost while it fills.
 *
 * `indexChanged` runs after every bulk write in which some document was written (a batch of
 * stale events, all 409, changes nothing). It must not wait: the projector's VisibilityAnnouncer
 * refreshes the index and then bumps the generation that ends catalog-read's cached answers, in
 * the background and coalesced (visibility.ts).
 */
export function searchProjection(
  engine: SearchEngine,
  targets: () => Promise<readonly string[]>,
  batch: { maxItems: number; maxWaitMs: number },
  indexChanged: () => void = () => undefined,
): SearchProjection {
  const batcher = new Batcher<VersionedDocument>({
    ...batch,
    flush: async (documents) => {
      let outcomes: ItemOutcome[] = [];
      let changed = false;
      for (const target of await targets()) {
        const raw = await engine.bulkIndex(target, documents);
        if (raw.some((r) => r.status >= 200 && r.status < 300)) changed = true;
        const results = raw.map(itemOutcome);
        outcomes =
          outcomes.length === 0 ? results : outcomes.map((o, i) => (o.ok ? (results[i] ?? o) : o));
      }
      if (changed) indexChanged();
      return outcomes;
    },
  });
  return {
    apply: async (event) => {
      if (event.aggregate !== 'product') return;
      await batcher.add({
        id: event.productId,
        version: event.version,
        document: searchDocument(event.snapshot),
      });
    },
    drain: () => batcher.drain(),
  };
}
