import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Schema } from './openapi.js';

/**
 * The test's own reading of the published schemas, independent of the services' validator: a
 * value it finds invalid must be refused. Ids are checked with the lenient uuid format, since the
 * API may normalize a spelling instead of refusing it; NaN and Infinity are never numbers.
 */
function ajv(coerce: boolean): Ajv {
  const instance = new Ajv({
    strict: false,
    strictNumbers: true,
    allErrors: false,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: false,
  });
  (addFormats as unknown as (a: Ajv) => void)(instance);
  return instance;
}

const strict = ajv(false);
const coercing = ajv(true);
const compiled = new Map<string, ValidateFunction>();

function validator(schema: Schema, coerce: boolean): ValidateFunction {
  const key = `${coerce ? 'c' : 's'}${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = (coerce ? coercing : strict).compile(schema as object);
    compiled.set(key, validate);
  }
  return validate;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text no store takes unaltered: NUL or a lone surrogate, in a value or a key. */
export function hasIllFormedText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => hasIllFormedText(k) || hasIllFormedText(v));
}

/** Whether a parsed JSON body breaks the published body schema or the text rules. */
export function bodyBreaksContract(schema: Schema, body: unknown): boolean {
  return !validator(schema, false)(body) || hasIllFormedText(body);
}

/**
 * Whether a query or header value (as text) breaks its parameter schema, coerced the way the
 * services coerce them. Undefined when the text is not plain ASCII without escapes, so its
 * decoded form is not certain.
 */
export function parameterBreaksSchema(
  schema: Schema,
  texts: readonly string[],
): boolean | undefined {
  if (texts.some((text) => !/^[\x21-\x7e]*$/.test(text) || /[%+&=#]/.test(text))) return undefined;
  const data: { v: unknown } = { v: texts.length === 1 ? texts[0] : [...texts] };
  return !validator({ type: 'object', properties: { v: schema } }, true)(data);
}
