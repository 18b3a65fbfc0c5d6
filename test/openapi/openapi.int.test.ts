import { readFile } from 'node:fs/promises';
import t from 'tap';
import { generatedTypes, typeCheckClient } from './client-types.js';
import { publishedPath, publishedText, serviceDocuments, type ServiceName } from './documents.js';
import { jsonSchemaProblems, validatorProblems } from './validate.js';

/*
 * Every service's /docs/json, from the service itself: a standard validator accepts it, its
 * schemas are JSON Schema 2020-12, a client generator turns it into types a strict client
 * compiles against, and the copy committed under docs/openapi/ is current. Routes come from the
 * documents, so new routes are checked without touching this file.
 */

/** Code a client writes against the generated types: known routes and the body they answer. */
const clientUsage: Record<ServiceName, string> = {
  'catalog-write': `
declare const created: Answer<'/admin/v1/products', 'post', 201>;
export const id: string = created.id;
export const version: number = created.version;`,
  'catalog-read': `
declare const page: Answer<'/v1/search', 'get', 200>;
export const total: number = page.total;
export const firstId: string | undefined = page.items[0]?.id;`,
  'analytics-api': `
declare const top: Answer<'/analytics/v1/products/top', 'get', 200>;
export const views: number | undefined = top[0]?.views;`,
  'outbox-relay': '',
  'projector-search': '',
  'projector-detail': '',
  'projector-analytics': '',
};

/** Every service has health; its readiness body is typed the same everywhere. */
const healthUsage = `
declare const ready: Answer<'/health/ready', 'get', 200>;
export const status: 'ready' | 'unready' = ready.status;`;

const documents = await serviceDocuments(t);

for (const { service, document } of documents) {
  t.test(service, async (t) => {
    t.equal(document.openapi, '3.1.0', 'OpenAPI 3.1: its schemas are JSON Schema 2020-12');
    t.same(await validatorProblems(document), [], 'swagger-parser finds no violation');
    t.same(jsonSchemaProblems(document), [], 'every schema compiles as JSON Schema 2020-12');

    const types = await generatedTypes(document);
    const check = await typeCheckClient(t, types, healthUsage + clientUsage[service]);
    t.same(check.diagnostics, [], 'the generated types and a client of them compile');
    t.same(
      [...check.paths].sort(),
      Object.keys(document.paths).sort(),
      'every route of the document is in the generated paths',
    );

    const committed = await readFile(publishedPath(service), 'utf8').catch(() => '');
    // Not t.equal: a diff of whole documents is for `git diff` after regenerating them.
    t.ok(
      committed === (await publishedText(service, document)),
      `docs/openapi/${service}.json is current (run \`npm run openapi\` after changing routes)`,
    );
  });
}
