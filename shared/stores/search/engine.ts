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
