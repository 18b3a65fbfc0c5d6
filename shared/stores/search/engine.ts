/** The search operations Aisle needs, independent of Elasticsearch or OpenSearch. */
export type SearchFlavour = 'opensearch' | 'elasticsearch';

export interface IndexTemplate {
  readonly index_patterns: readonly string[];
  readonly priority: number;
  readonly template: {
    readonly settings: Record<string, unknown>;
    readonly mappings: Record<string, unknown>;
  };
}

export type AliasAction =
  | { readonly add: { readonly index: string; readonly alias: string } }
  | { readonly remove: { readonly index: string; readonly alias: string } };

export interface SearchEngineInfo {
  readonly distribution: string;
  readonly version: string;
}

export type ClusterStatus = 'green' | 'yellow' | 'red';

/** One document written with external versioning: the engine keeps it only if the version is newer. */
export interface VersionedDocument {
  readonly id: string;
  readonly version: number;
  readonly document: Record<string, unknown>;
}

/** The engine's answer for one bulk item: 2xx applied, 409 an equal or newer version is there. */
export interface BulkItemResult {
  readonly status: number;
  readonly errorType?: string;
  readonly reason?: string;
}

export interface SearchHit {
  readonly _id: string;
  readonly _score: number | null;
  readonly _source?: Record<string, unknown>;
  readonly highlight?: Record<string, string[]>;
  readonly sort?: unknown[];
}

export interface SearchResponseBody {
  readonly took: number;
  readonly hits: {
    readonly total: number | { readonly value: number; readonly relation: string };
    readonly hits: readonly SearchHit[];
  };
  readonly aggregations?: Record<string, unknown>;
}

export interface StoredDocument {
  readonly version: number;
  readonly source: Record<string, unknown>;
}

export interface SearchEngine {
  readonly flavour: SearchFlavour;
  info(): Promise<SearchEngineInfo>;
  clusterStatus(): Promise<ClusterStatus>;
  putIndexTemplate(name: string, template: IndexTemplate): Promise<void>;
  deleteIndexTemplate(name: string): Promise<void>;
  /** Creates an index from the matching template; 'exists' if another instance was first. */
  createIndex(index: string): Promise<'created' | 'exists'>;
  /** Indices the alias points to; empty when the alias does not exist. */
  aliasTargets(alias: string): Promise<string[]>;
  /** Applied atomically by the engine, so readers never see the alias missing. */
  updateAliases(actions: readonly AliasAction[]): Promise<void>;
  /** One bulk request; per-item results in the order of `documents` (HTTP 200 may hide failures). */
  bulkIndex(index: string, documents: readonly VersionedDocument[]): Promise<BulkItemResult[]>;
  /** Removes documents by id (a missing one answers 404 in its result, not an error). */
  bulkDelete(index: string, ids: readonly string[]): Promise<BulkItemResult[]>;
  getDocument(index: string, id: string): Promise<StoredDocument | undefined>;
  refresh(index: string): Promise<void>;
  /** A search request body (the DSL both engines accept); the raw response body. */
  search(index: string, body: Record<string, unknown>): Promise<SearchResponseBody>;
  /** Deletes indices by name or wildcard pattern; missing ones are ignored. */
  deleteIndices(pattern: string): Promise<void>;
  close(): Promise<void>;
}

export class SearchEngineError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'SearchEngineError';
  }
}

/** Both clients throw errors carrying `meta.statusCode`; this reads it without trusting shapes. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('meta' in error)) return undefined;
  const meta = (error as { meta?: { statusCode?: unknown } }).meta;
  return typeof meta?.statusCode === 'number' ? meta.statusCode : undefined;
}

export function errorType(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('meta' in error)) return undefined;
  const body = (error as { meta?: { body?: { error?: { type?: unknown } } } }).meta?.body;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}

/** The NDJSON-style action list both engines take for a bulk of external-version writes. */
export function bulkOperations(index: string, documents: readonly VersionedDocument[]): unknown[] {
  return documents.flatMap((d) => [
    { index: { _index: index, _id: d.id, version: d.version, version_type: 'external' } },
    d.document,
  ]);
}

/** The action list of a bulk delete by id. */
export function bulkDeleteOperations(index: string, ids: readonly string[]): unknown[] {
  return ids.map((id) => ({ delete: { _index: index, _id: id } }));
}

interface BulkItemOutcome {
  status: number;
  error?: { type?: string; reason?: string };
}

interface BulkResponseItem {
  index?: BulkItemOutcome;
  delete?: BulkItemOutcome;
}

export function bulkResults(items: readonly BulkResponseItem[]): BulkItemResult[] {
  return items.map((item) => {
    const result = item.index ?? item.delete;
    if (result === undefined) return { status: 500, reason: 'no result for this item' };
    return {
      status: result.status,
      ...(result.error?.type === undefined ? {} : { errorType: result.error.type }),
      ...(result.error?.reason === undefined ? {} : { reason: result.error.reason }),
    };
  });
}
