import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function ajv(options: Options): Ajv {
  const instance = new Ajv({
    removeAdditional: false,
    allErrors: true,
    useDefaults: true,
    strict: false,
    ...options,
  });
  (addFormats as unknown as (a: Ajv) => void)(instance);
  // One spelling per id (DESIGN rule 10): ajv-formats' uuid also takes upper case and
  // `urn:uuid:`, which would reach the stores as a second identity or a 500.
  instance.addFormat('uuid', CANONICAL_UUID);
  return instance;
}

/**
 * Bodies are validated as sent: `"5"` is not the number 5, and unknown fields are rejected, not
 * dropped. Query strings, params and headers arrive as text, so those are coerced (and a single
 * value becomes an array where the schema wants one).
 */
export function validatorCompiler(
  sharedSchemas: Readonly<Record<string, unknown>> = {},
): FastifySchemaCompiler<unknown> {
  const strict = ajv({ coerceTypes: false });
  const coercing = ajv({ coerceTypes: 'array' });
  for (const schema of Object.values(sharedSchemas)) {
    strict.addSchema(schema as object);
    coercing.addSchema(schema as object);
  }
  return ({ schema, httpPart }) => {
    const compiled = (httpPart === 'body' ? strict : coercing).compile(schema as object);
    return (data: unknown) => {
      if (!compiled(data)) return { error: compiledError(compiled.errors) };
      const bad = badTextIn(data, '');
      if (bad !== undefined) return { error: compiledError([bad]) };
      return { value: data };
    };
  };
}

/**
 * No store takes U+0000 in text (Postgres refuses it), and a lone surrogate (`"\ud800"` in JSON)
 * cannot be encoded as UTF-8 at all: both are client errors, found here, in values and keys.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Any surrogate: most text has none, and this test is much cheaper than the one above. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Why a text is not well-formed, or undefined when it is. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (SURROGATE.test(text) && LONE_SURROGATE.test(text))
    return 'must be well-formed Unicode (a lone surrogate is not)';
  return undefined;
}

function badTextIn(
  value: unknown,
  path: string,
): { instancePath: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message === undefined ? undefined : { instancePath: path, message };
  }
  if (value === null || typeof value !== 'object') return undefined;
  // Runs on every validated part of every request: no entries array, and no path text for a
  // string value unless it is the wrong one.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const message = textProblem(key);
    if (message !== undefined) return { instancePath: `${path}/${key}`, message };
    const child = record[key];
    if (typeof child === 'string') {
      const childMessage = textProblem(child);
      if (childMessage !== undefined)
        return { instancePath: `${path}/${key}`, message: childMessage };
    } else if (child !== null && typeof child === 'object') {
      const found = badTextIn(child, `${path}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function compiledError(errors: unknown): Error {
  return Object.assign(new Error('validation failed'), { validation: errors ?? [] });
}
