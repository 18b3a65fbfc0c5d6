import { Client } from '@opensearch-project/opensearch';
import {
  bulkDeleteOperations,
  bulkOperations,
  bulkResults,
  errorType,
  statusCodeOf,
  type AliasAction,
  type ClusterStatus,
  type IndexTemplate,
  type SearchEngine,
  type SearchResponseBody,
  type VersionedDocument,
} from './engine.js';

export interface EngineConnection {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Deadline of one call, retries included (default 30 s: background work). */
  readonly requestTimeoutMs?: number;
  /** Retries of a call on another connection (default: the client's; 0 on a request path). */
  readonly maxRetries?: number;
}

/** Client options shared by both adapters: the call's deadline and retries. */
export function timeoutOptions(conn: EngineConnection): {
  requestTimeout: number;
  maxRetries?: number;
} {
  return {
    requestTimeout: conn.requestTimeoutMs ?? 30_000,
    ...(conn.maxRetries === undefined ? {} : { maxRetries: conn.maxRetries }),
  };
}

function auth(conn: EngineConnection): { username: string; password: string } | undefined {
  return conn.username === undefined
    ? undefined
    : { username: conn.username, password: conn.password ?? '' };
}

/** OpenSearch adapter: the client answers `{ body, statusCode }` and takes request bodies in `body`. */
export function openSearchEngine(conn: EngineConnection, client?: Client): SearchEngine {
  const credentials = auth(conn);
  const os =
    client ??
    new Client({
      node: conn.url,
      ...(credentials ? { auth: credentials } : {}),
      ...timeoutOptions(conn),
    });
  return {
    flavour: 'opensearch',
    async info() {
      const { body } = await os.info();
      return {
        distribution: body.version.distribution ?? 'opensearch',
        version: body.version.number,
      };
    },
    async clusterStatus() {
      const { body } = await os.cluster.health({});
      return body.status as ClusterStatus;
    },
    async putIndexTemplate(name: string, template: IndexTemplate) {
      await os.indices.putIndexTemplate({ name, body: template as never });
    },
    async deleteIndexTemplate(name: string) {
      try {
        await os.indices.deleteIndexTemplate({ name });
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
      }
    },
    async createIndex(index: string) {
      try {
        await os.indices.create({ index });
        return 'created';
      } catch (error) {
        if (errorType(error) === 'resource_already_exists_exception') return 'exists';
        throw error;
      }
    },
    async aliasTargets(alias: string) {
      try {
        const { body } = await os.indices.getAlias({ name: alias });
        return Object.keys(body);
      } catch (error) {
        if (statusCodeOf(error) === 404) return [];
        throw error;
      }
    },
    async updateAliases(actions: readonly AliasAction[]) {
      await os.indices.updateAliases({ body: { actions: [...actions] } });
    },
    async bulkIndex(index: string, documents: readonly VersionedDocument[]) {
      const { body } = await os.bulk({ body: bulkOperations(index, documents) as never });
      return bulkResults(body.items);
    },
    async bulkDelete(index: string, ids: readonly string[]) {
      if (ids.length === 0) return [];
      const { body } = await os.bulk({ body: bulkDeleteOperations(index, ids) as never });
      return bulkResults(body.items);
    },
    async getDocument(index: string, id: string) {
      try {
        const { body } = await os.get({ index, id });
        return {
          version: Number(body._version),
          source: (body._source ?? {}) as Record<string, unknown>,
        };
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
    async search(index: string, body: Record<string, unknown>) {
      const response = await os.search({ index, body });
      return response.body as unknown as SearchResponseBody;
    },
    async refresh(index: string) {
      await os.indices.refresh({ index });
    },
    async deleteIndices(pattern: string) {
      await os.indices.delete({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
    },
    close: () => os.close(),
  };
}
