import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from './documents.js';

/**
 * What @apidevtools/swagger-parser finds wrong with a document: one line per violation of the
 * OpenAPI schema its version declares (empty when the document is valid).
 */
export async function validatorProblems(document: OpenApiDocument): Promise<string[]> {
  try {
    // The parser dereferences what it is given in place.
    await SwaggerParser.validate(structuredClone(document) as never);
    return [];
  } catch (error) {
    const details = (error as { details?: ErrorObject[] }).details;
    if (details === undefined) return [String(error)];
    return details.map((detail) => `${detail.instancePath || '/'} ${detail.message ?? ''}`);
  }
}

const COMPONENTS_ID = 'https://aisle.invalid/openapi/components';
/** Schema Object keywords OpenAPI 3.1 adds to JSON Schema 2020-12. */
const OPENAPI_KEYWORDS = ['discriminator', 'xml', 'externalDocs', 'example'];
/** OpenAPI 3.0 and draft-07 keywords Ajv accepts that JSON Schema 2020-12 does not have. */
const NOT_2020_12 = ['nullable', 'dependencies', 'definitions'];

/**
 * OpenAPI 3.1 lets a Schema Object be any JSON Schema, so the validator above does not look inside
 * them. This compiles each one as JSON Schema 2020-12 with unknown keywords refused, which catches
 * what clients would misread: 3.0 leftovers (`nullable`), draft-07 forms (`items: [...]`,
 * `dependencies`, `definitions`) and keywords nothing defines.
 */
export function jsonSchemaProblems(document: OpenApiDocument): string[] {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false });
  (addFormats as unknown as (instance: Ajv2020) => void)(ajv);
  // Ajv knows these beside JSON Schema 2020-12; a client generator does not.
  for (const keyword of NOT_2020_12) ajv.removeKeyword(keyword);
  ajv.addVocabulary([...OPENAPI_KEYWORDS, ...extensionKeywords(document)]);
  const { schemas: named = {}, ...otherComponents } = document.components ?? {};
  const problems: string[] = [];
  try {
    ajv.addSchema(withComponentRefs({ $id: COMPONENTS_ID, $defs: named }));
  } catch (error) {
    // Reported, and the other schemas still checked (those that use a component then fail too).
    problems.push(`/components/schemas: ${(error as Error).message}`);
  }
  const locations = [
    ...schemaObjects(document.paths, '/paths'),
    ...schemaObjects(otherComponents, '/components'),
    ...Object.keys(named).map(
      (name) =>
        [`/components/schemas/${name}`, { $ref: `${COMPONENTS_ID}#/$defs/${name}` }] as const,
    ),
  ];
  for (const [pointer, schema] of locations) {
    try {
      ajv.compile(withComponentRefs(schema));
    } catch (error) {
      problems.push(`${pointer}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Each `schema` of the document's parameters, media types and headers, with where it is. */
function* schemaObjects(node: unknown, pointer: string): Generator<readonly [string, object]> {
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key === 'schema' && typeof value === 'object' && value !== null) yield [at, value];
    else yield* schemaObjects(value, at);
  }
}

/** The document's `#/components/schemas/<name>` refs, pointed at the components added to Ajv. */
function withComponentRefs(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`),
  ) as object;
}

/** `x-` extensions are allowed anywhere in OpenAPI 3.1, Schema Objects included. */
function extensionKeywords(document: OpenApiDocument): string[] {
  const names = new Set<string>();
  JSON.stringify(document, (key, value: unknown) => {
    if (key.startsWith('x-')) names.add(key);
    return value;
  });
  return [...names];
}
