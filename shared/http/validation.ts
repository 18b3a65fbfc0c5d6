import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function ajv(options: Options): Ajv {
  const instance = new Ajv({
    removeAdditional: false,
    allErrors: true,
    useDefaults: true,
    strict: false,
    ...options,
  });
  (addFormats as unknown as (a: Ajv) => void)(instance);
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
      const nul = httpPart === 'body' ? pathWithNul(data, '') : undefined;
      if (nul !== undefined) {
        return {
          error: compiledError([{ instancePath: nul, message: 'must not contain NUL characters' }]),
        };
      }
      return { value: data };
    };
  };
}

/** No store takes U+0000 in text (Postgres refuses it), so it is a client error, found here. */
function pathWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}/${key}`;
    const found = pathWithNul(child, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function compiledError(errors: unknown): Error {
  return Object.assign(new Error('validation failed'), { validation: errors ?? [] });
}
