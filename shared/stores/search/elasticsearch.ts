import { Client, type ClientOptions } from '@elastic/elasticsearch';
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
import { timeoutOptions, type EngineConnection } from './opensearch.js';

/**
 * Elasticsearch adapter: the 8.x client answers with the body itself and takes request fields at
 * the top level. 8.x is used (not 9.x) because it runs on Node 20 and speaks to 8 and 9 servers.
 */
export function elasticsearchEngine(
  conn: EngineConnection,
  extra: Partial<ClientOptions> = {},
): SearchEngine {
  const es = new Client({
    node: conn.url,
    ...(conn.username === undefined
      ? {}
      : { auth: { username: conn.username, password: conn.password ?? '' } }),
    ...timeoutOptions(conn),
    ...extra,
  });
  return {
    flavour: 'elasticsearch',
    async info() {
      const body = await es.info();
      return { distribution: 'elasticsearch', version: body.version.number };
    },
    async clusterStatus() {
      const body = await es.cluster.health();
      return body.status.toLowerCase() as ClusterStatus;
    },
    async putIndexTemplate(name: string, template: IndexTemplate) {
      await es.indices.putIndexTemplate({
        name,
        index_patterns: [...template.index_patterns],
        priority: template.priority,
        template: template.template,
      });
    },
    async deleteIndexTemplate(name: string) {
      try {
        await es.indices.deleteIndexTemplate({ name });
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
      }
    },
    async createIndex(index: string) {
      try {
        await es.indices.create({ index });
        return 'created';
      } catch (error) {
        if (errorType(error) === 'resource_already_exists_exception') return 'exists';
        throw error;
      }
    },
    async aliasTargets(alias: string) {
      try {
        return Object.keys(await es.indices.getAlias({ name: alias }));
      } catch (error) {
        if (statusCodeOf(error) === 404) return [];
        throw error;
      }
    },
    async updateAliases(actions: readonly AliasAction[]) {
      await es.indices.updateAliases({ actions: [...actions] });
    },
    async bulkIndex(index: string, documents: readonly VersionedDocument[]) {
      const body = await es.bulk({ operations: bulkOperations(index, documents) });
      return bulkResults(body.items as never);
    },
    async bulkDelete(index: string, ids: readonly string[]) {
      if (ids.length === 0) return [];
      const body = await es.bulk({ operations: bulkDeleteOperations(index, ids) });
      return bulkResults(body.items as never);
    },
    async getDocument(index: string, id: string) {
      try {
        const body = await es.get({ index, id });
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
      return (await es.search({ index, ...body })) as unknown as SearchResponseBody;
    },
    async refresh(index: string) {
      await es.indices.refresh({ index });
    },
    async deleteIndices(pattern: string) {
      await es.indices.delete({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
    },
    close: () => es.close(),
  };
}
