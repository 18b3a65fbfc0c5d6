import { baseHeaders, type CaseEnv, type HostileCase, type HostileRequest } from './case.js';
import { budgeted, hostileValues } from './hostile-values.js';
import { fillPath, typesOf, type Operation, type Schema } from './openapi.js';
import { bodyWith, json, parsedBody, value, type HostileValue } from './pieces.js';
import type { Random } from './prng.js';
import { bodyBreaksContract } from './schema-check.js';
import { validObject, validValue, type Fixtures } from './valid.js';

/** A place in a body where a hostile value goes, with the schema of what belongs there. */
interface Field {
  readonly path: readonly string[];
  readonly schema: Schema;
  /** The field is one entry of a map (`attributes`, `stock`): the path ends in a valid key. */
  readonly mapEntry: boolean;
}

const JSON_TYPE = 'application/json';

/** Every field of a body schema, nested objects, map entries and array items included. */
export function fieldsOf(schema: Schema, fixtures: Fixtures, path: string[] = []): Field[] {
  const fields: Field[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    fields.push({ path: [...path, name], schema: property, mapEntry: false });
    fields.push(...childrenOf(property, fixtures, [...path, name]));
  }
  return fields;
}

function childrenOf(schema: Schema, fixtures: Fixtures, path: string[]): Field[] {
  const types = typesOf(schema);
  const children: Field[] = [];
  if (types.includes('object')) {
    children.push(...fieldsOf(schema, fixtures, path));
    const entry = schema.additionalProperties;
    if (entry !== undefined && typeof entry === 'object') {
      const key = String(validValue(schema.propertyNames ?? { type: 'string' }, fixtures));
      children.push({ path: [...path, key], schema: entry, mapEntry: true });
      children.push(...childrenOf(entry, fixtures, [...path, key]));
    }
  }
  if (types.includes('array') && schema.items !== undefined) {
    children.push({ path: [...path, '0'], schema: schema.items, mapEntry: false });
    children.push(...childrenOf(schema.items, fixtures, [...path, '0']));
  }
  return children;
}

/** Map keys that read Object.prototype when a map is a plain object (issue 11, defect 4). */
const PROTOTYPE_KEYS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];

function mapKeyValues(entry: Schema, fixtures: Fixtures): HostileValue[] {
  const valid = JSON.stringify(validValue(entry, fixtures));
  return [
    ...PROTOTYPE_KEYS.map((key) => json(`key "${key}"`, `{${JSON.stringify(key)}:${valid}}`)),
    json('key "__proto__"', `{"__proto__":${valid}}`, true),
    json('keys differing only in case', `{"Main":${valid},"main":${valid}}`),
    json('key with a lone surrogate', `{"w\\ud800":${valid}}`, true),
    value('key with NUL', { 'w\u0000': JSON.parse(valid) as unknown }, true),
    value('emoji key', { '\u{1f600}': JSON.parse(valid) as unknown }),
  ];
}

/**
 * A valid body with the parents of `path` present: hostile `price.currency` needs a price, a
 * hostile `images.0` an images array.
 */
function baseFor(schema: Schema, path: readonly string[], fixtures: Fixtures): unknown {
  const base = validObject(schema, fixtures);
  let node: Record<string, unknown> = base;
  let nodeSchema: Schema = schema;
  for (const key of path.slice(0, -1)) {
    const child = childSchema(nodeSchema, key);
    if (node[key] === undefined || node[key] === null) node[key] = validValue(child, fixtures, key);
    node = node[key] as Record<string, unknown>;
    nodeSchema = child;
  }
  return base;
}

function childSchema(schema: Schema, key: string): Schema {
  const named = schema.properties?.[key];
  if (named !== undefined) return named;
  if (schema.items !== undefined && /^\d+$/.test(key)) return schema.items;
  const entry = schema.additionalProperties;
  return typeof entry === 'object' ? entry : {};
}

/** A request whose JSON body is `body` (bytes), judged against the published schema. */
async function jsonRequest(
  op: Operation,
  env: CaseEnv,
  body: Buffer,
  extra: { contentType?: string; mustReject?: boolean; expectStatus?: readonly number[] } = {},
): Promise<HostileRequest> {
  const values = await env.pathValues(op);
  const sent = parsedBody(body);
  const schema = op.body?.schema ?? {};
  const breaks = sent === undefined || bodyBreaksContract(schema, sent);
  return {
    method: op.method,
    url: fillPath(op.path, values),
    headers: { ...baseHeaders(op, env), 'content-type': extra.contentType ?? JSON_TYPE },
    payload: body,
    ...(sent === undefined ? {} : { sentBody: sent }),
    resourceValues: values,
    mustReject: extra.mustReject === true || breaks,
    ...(extra.expectStatus === undefined ? {} : { expectStatus: extra.expectStatus }),
  };
}

function fieldCase(op: Operation, field: Field, hostile: HostileValue): HostileCase {
  return {
    op,
    label: `body.${field.path.join('.')}: ${hostile.label}`,
    build: (env) => {
      const schema = op.body?.schema ?? {};
      const body = bodyWith(baseFor(schema, field.path, env), field.path, hostile.piece);
      return jsonRequest(op, env, body, { mustReject: hostile.mustReject === true });
    },
  };
}

/** Hostile values for every field of a JSON body, and whole-body oddities. */
export function bodyCases(op: Operation, rng: Random, fixtures: Fixtures): HostileCase[] {
  if (op.body === undefined) return bodylessCases(op);
  if (!op.body.contentTypes.includes(JSON_TYPE)) return [];
  const cases: HostileCase[] = [];
  const schema = op.body.schema;
  for (const field of fieldsOf(schema, fixtures)) {
    const knownId =
      field.schema.format === 'uuid' ? fixtures.idForField(last(field.path)) : undefined;
    const catalogue = [
      ...hostileValues(field.schema, rng, knownId),
      ...(!field.mapEntry && typeof field.schema.additionalProperties === 'object'
        ? mapKeyValues(field.schema.additionalProperties, fixtures)
        : []),
    ];
    // Top-level fields get more of the sampled values than nested ones (variants.0.sku).
    const extra = [6, 6, 3][field.path.length] ?? 1;
    for (const hostile of budgeted(catalogue, rng, extra)) {
      cases.push(fieldCase(op, field, hostile));
    }
    if (!(schema.required ?? []).includes(last(field.path)) || field.path.length > 1) continue;
    cases.push(
      fieldCase(op, field, { label: 'required field missing', piece: { kind: 'absent' } }),
    );
  }
  cases.push(...wholeBodyCases(op));
  return cases;
}

const last = (path: readonly string[]): string => path[path.length - 1] ?? '';

/** Content types, charsets and bodies that are not one JSON object. */
function wholeBodyCases(op: Operation): HostileCase[] {
  const withBody = (
    label: string,
    make: (valid: Buffer) => Buffer,
    extra: { contentType?: string; mustReject?: boolean; expectStatus?: readonly number[] } = {},
  ): HostileCase => ({
    op,
    label: `body: ${label}`,
    build: (env) => jsonRequest(op, env, make(env.validBody(op) ?? Buffer.from('{}')), extra),
  });
  const refused = (label: string, contentType: string, status = 415) =>
    withBody(label, (b) => b, { contentType, mustReject: true, expectStatus: [status] });
  const text = (s: string) => () => Buffer.from(s);
  const bad = { mustReject: true, expectStatus: [400] } as const;
  return [
    refused('declared charset iso-8859-1', 'application/json; charset=iso-8859-1'),
    refused('declared charset utf-16', 'application/json; charset=utf-16'),
    refused('declared charset "latin1" quoted', 'application/json; charset="latin1"'),
    refused('text/plain', 'text/plain'),
    refused('form-urlencoded', 'application/x-www-form-urlencoded'),
    refused('multipart', 'multipart/form-data; boundary=x'),
    refused('application/xml', 'application/xml'),
    withBody('latin-1 bytes declared iso-8859-1', latin1, {
      contentType: 'application/json; charset=iso-8859-1',
      mustReject: true,
      expectStatus: [415],
    }),
    withBody('declared charset UTF-8 upper-case', (b) => b, {
      contentType: 'application/json; charset=UTF-8',
    }),
    withBody('JSON type upper-case', (b) => b, { contentType: 'APPLICATION/JSON' }),
    withBody('UTF-8 byte order mark first', (b) =>
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
    ),
    withBody('UTF-16LE with its byte order mark', utf16, bad),
    withBody('latin-1 bytes undeclared', latin1, bad),
    withBody('empty body', text(''), bad),
    withBody('null', text('null'), bad),
    withBody('an array', text('[]'), bad),
    withBody('a string', text('"x"'), bad),
    withBody('a number', text('1'), bad),
    withBody('truncated object', (b) => b.subarray(0, b.length - 1), bad),
    withBody('trailing garbage', (b) => Buffer.concat([b, Buffer.from('x')]), bad),
    withBody('two objects', (b) => Buffer.concat([b, b]), bad),
    withBody('comment', (b) => Buffer.concat([Buffer.from('/* c */'), b]), bad),
    withBody('single quotes', text("{'a':'b'}"), bad),
    withBody('100,000 nested arrays', text(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), bad),
    withBody('10,000 nested objects', text(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`), bad),
    withBody('top-level __proto__', (b) => injectKey(b, '"__proto__":{"polluted":true}'), bad),
    withBody(
      'top-level constructor.prototype',
      (b) => injectKey(b, '"constructor":{"prototype":{"polluted":true}}'),
      bad,
    ),
    withBody('top-level toString', (b) => injectKey(b, '"toString":"x"'), { mustReject: true }),
    withBody('unknown field', (b) => injectKey(b, '"unknownField":1'), { mustReject: true }),
    withBody('3 MB body', (b) => injectKey(b, `"pad":"${'p'.repeat(3_000_000)}"`), {
      mustReject: true,
      expectStatus: [413],
    }),
  ];
}

/** A body on a route that takes none: ignored or refused, never a 5xx. */
function bodylessCases(op: Operation): HostileCase[] {
  const bodies: [string, string, string][] = [
    ['JSON object on a bodyless route', JSON_TYPE, '{"x":1}'],
    ['invalid JSON on a bodyless route', JSON_TYPE, '{'],
    ['lone surrogate on a bodyless route', JSON_TYPE, '{"x":"\\ud800"}'],
    ['charset iso-8859-1 on a bodyless route', 'application/json; charset=iso-8859-1', '{}'],
    ['empty JSON body on a bodyless route', JSON_TYPE, ''],
  ];
  return bodies.map(([label, contentType, body]) => ({
    op,
    label: `body: ${label}`,
    build: async (env) => {
      const values = await env.pathValues(op);
      return {
        method: op.method,
        url: fillPath(op.path, values),
        headers: { ...baseHeaders(op, env), 'content-type': contentType },
        payload: body,
        resourceValues: values,
        mustReject: false,
      };
    },
  }));
}

function injectKey(body: Buffer, member: string): Buffer {
  const textBody = body.toString('utf8');
  return Buffer.from(textBody === '{}' ? `{${member}}` : `{${member},${textBody.slice(1)}`);
}

function latin1(body: Buffer): Buffer {
  const textBody = body.toString('utf8');
  return Buffer.from(injectKeyText(textBody, '"name":"caf\u00e9"'), 'latin1');
}

const injectKeyText = (textBody: string, member: string) =>
  textBody === '{}' ? `{${member}}` : `{${member},${textBody.slice(1)}`;

function utf16(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body.toString('utf8'), 'utf16le')]);
}

/** A fresh valid body for an operation (unique SKUs and slugs each call). */
export function validBodyOf(op: Operation, fixtures: Fixtures): Buffer | undefined {
  if (op.body === undefined || !op.body.contentTypes.includes(JSON_TYPE)) return undefined;
  return Buffer.from(JSON.stringify(validObject(op.body.schema, fixtures)));
}
