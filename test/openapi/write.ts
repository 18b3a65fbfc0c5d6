import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { publishedPath, publishedText, serviceDocuments } from './documents.js';

/*
 * `npm run openapi`: writes every service's OpenAPI document to docs/openapi/<service>.json, from
 * the services themselves (built against the stores, on namespaces of their own, removed after).
 * test/openapi/openapi.int.test.ts fails when a committed document differs from this output.
 */

const teardowns: (() => unknown)[] = [];
try {
  for (const { service, document } of await serviceDocuments({
    teardown: (fn) => void teardowns.push(fn),
  })) {
    const file = publishedPath(service);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await publishedText(service, document));
    console.log(`${service}: ${Object.keys(document.paths).length} paths -> ${file}`);
  }
} finally {
  for (const teardown of teardowns.reverse()) await teardown();
}
