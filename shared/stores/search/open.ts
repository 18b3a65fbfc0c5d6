import { assertNever } from '../../assert-never.js';
import type { Config } from '../../config/index.js';
import type { StoreHandle } from '../store.js';
import { elasticsearchEngine } from './elasticsearch.js';
import type { SearchEngine } from './engine.js';
import { openSearchEngine, type EngineConnection } from './opensearch.js';

export function createSearchEngine(
  flavour: Config['searchEngine'],
  conn: EngineConnection,
): SearchEngine {
  switch (flavour) {
    case 'opensearch':
      return openSearchEngine(conn);
    case 'elasticsearch':
      return elasticsearchEngine(conn);
    default:
      return assertNever(flavour, 'search engine');
  }
}

/**
 * Ready means the cluster can serve reads and writes: yellow (one node) or green. A `request`
 * client serves HTTP requests: each call has the request-path deadline and no retry, so a slow
 * or absent engine is a prompt 503, never a hang; `background` clients (projectors, CLI) wait
 * longer.
 */
export function openSearch(
  config: Config,
  purpose: 'request' | 'background' = 'background',
): StoreHandle<SearchEngine> {
  const engine = createSearchEngine(config.searchEngine, {
    url: config.searchUrl,
    username: config.searchUsername,
    password: config.searchPassword,
    ...(purpose === 'request'
      ? { requestTimeoutMs: config.storeRequestTimeoutMs, maxRetries: 0 }
      : {}),
  });
  return {
    name: 'search',
    client: engine,
    ping: async () => {
      const status = await engine.clusterStatus();
      if (status === 'red') throw new Error('cluster health is red');
    },
    close: () => engine.close(),
  };
}
