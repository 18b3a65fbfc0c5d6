/**
 * The operations of a service as its own OpenAPI document (GET /docs/json) describes them: the
 * suite walks these, so a route or a field added later is attacked without editing the suite.
 */

/** The subset of JSON Schema the services publish. */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly nullable?: boolean;
  readonly format?: string;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxProperties?: number;
  readonly minProperties?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly propertyNames?: Schema;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly not?: Schema;
  readonly default?: unknown;
  readonly $ref?: string;
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: Schema;
}

export interface Operation {
  readonly method: string;
  /** The OpenAPI path, `/admin/v1/products/{id}`. */
  readonly path: string;
  readonly parameters: readonly Parameter[];
  /** Media types the body may have, and its schema (absent: the route takes no body). */
  readonly body?: { readonly contentTypes: readonly string[]; readonly schema: Schema };
  /** Whether a bearer token is required. */
  readonly secured: boolean;
}

interface RawOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, RawOperation>>;
  security?: unknown[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of a document, health and docs routes left out (they take no input). */
export function operationsOf(document: unknown): Operation[] {
  const doc = document as OpenApiDocument;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (path.startsWith('/health') || path.startsWith('/docs')) continue;
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      operations.push(operationOf(method.toUpperCase(), path, raw, doc.security));
    }
  }
  return operations;
}

function operationOf(
  method: string,
  path: string,
  raw: RawOperation,
  defaultSecurity: unknown[] | undefined,
): Operation {
  const parameters = (raw.parameters ?? [])
    .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
    .map((p): Parameter => ({
      name: p.name,
      in: p.in as Parameter['in'],
      required: p.required === true || p.in === 'path',
      schema: p.schema ?? {},
    }));
  const content = raw.requestBody?.content;
  const first = content === undefined ? undefined : Object.values(content)[0];
  const security = raw.security ?? defaultSecurity ?? [];
  return {
    method,
    path,
    parameters,
    ...(content === undefined
      ? {}
      : { body: { contentTypes: Object.keys(content), schema: first?.schema ?? {} } }),
    secured: security.length > 0,
  };
}

/** `POST /admin/v1/products/{id}/price`: how cases and counts name an operation. */
export const routeName = (op: Pick<Operation, 'method' | 'path'>): string =>
  `${op.method} ${op.path}`;

/** The types a schema allows, `nullable` folded in. */
export function typesOf(schema: Schema): string[] {
  const declared = schema.type === undefined ? [] : [schema.type].flat();
  return schema.nullable === true ? [...declared, 'null'] : declared;
}

/** The path with its parameters filled in (each value percent-encoded unless raw). */
export function fillPath(
  path: string,
  values: Readonly<Record<string, string>>,
  raw: ReadonlySet<string> = new Set(),
): string {
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return raw.has(name) ? value : encodeURIComponent(value);
  });
}
