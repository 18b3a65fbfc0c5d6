import { randomUUID } from 'node:crypto';
import { typesOf, type Schema } from './openapi.js';

/**
 * Where a generated valid value needs a fact of the running system: an id that exists (a
 * category for `categoryId`), or a unique suffix so SKUs and slugs never collide.
 */
export interface Fixtures {
  /** An existing id for a body field of this name (`categoryId`, `parentId`), if any. */
  idForField(field: string): string | undefined;
  /** A number never returned before, for unique text. */
  unique(): number;
  /**
   * Optional fields a valid body fills too, when its schema has them: a rule needs a `pin` or a
   * `hide` (a domain rule no schema can say), so without one every rule write would be refused.
   */
  readonly alsoFill?: readonly string[];
}

/** A value the schema accepts, minimal: only required properties, one array item at most. */
export function validValue(schema: Schema, fixtures: Fixtures, field = ''): unknown {
  if (schema.enum !== undefined && schema.enum.length > 0) return schema.enum[0];
  if (schema.anyOf !== undefined && schema.anyOf.length > 0) {
    return validValue(schema.anyOf[0] as Schema, fixtures, field);
  }
  const type = typesOf(schema).find((t) => t !== 'null') ?? 'string';
  switch (type) {
    case 'string':
      return validString(schema, fixtures, field);
    case 'integer':
    case 'number':
      return validNumber(schema);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () =>
        validValue(schema.items ?? {}, fixtures, field),
      );
    case 'object':
      return validObject(schema, fixtures);
    default:
      return null;
  }
}

export function validObject(schema: Schema, fixtures: Fixtures): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const required = schema.required ?? [];
  const alsoFilled = (fixtures.alsoFill ?? []).filter(
    (name) => schema.properties?.[name] !== undefined && !required.includes(name),
  );
  for (const name of [...required, ...alsoFilled]) {
    object[name] = validValue(schema.properties?.[name] ?? {}, fixtures, name);
  }
  if ((schema.minProperties ?? 0) > Object.keys(object).length) {
    const [name, property] = Object.entries(schema.properties ?? {})[0] ?? [];
    if (name !== undefined && property !== undefined) {
      object[name] = validValue(property, fixtures, name);
    }
  }
  return object;
}

function validNumber(schema: Schema): number {
  const low = schema.minimum ?? -Infinity;
  const high = schema.maximum ?? Infinity;
  return Math.min(Math.max(1, low), high);
}

function validString(schema: Schema, fixtures: Fixtures, field: string): string {
  switch (schema.format) {
    case 'uuid':
      return fixtures.idForField(field) ?? randomUUID();
    case 'date-time':
      return '2024-03-01T00:00:00Z';
    case 'uri':
      return `https://cdn.example.com/${fixtures.unique()}.jpg`;
    default:
      break;
  }
  const n = fixtures.unique();
  const candidates = [`h${n}`, `H${n}`, `h-${n}`, 'EUR', `${n}`, 'h', 'x'.repeat(8)];
  const found = candidates.find((c) => fitsString(schema, c));
  if (found === undefined) throw new Error(`no valid text for ${JSON.stringify(schema)}`);
  return found;
}

/** Whether a text satisfies a string schema's length and pattern. */
export function fitsString(schema: Schema, text: string): boolean {
  const length = [...text].length;
  if (length < (schema.minLength ?? 0) || length > (schema.maxLength ?? Infinity)) return false;
  return schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(text);
}
