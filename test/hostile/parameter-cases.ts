import { randomUUID } from 'node:crypto';
import { baseHeaders, type CaseEnv, type HostileCase, type HostileRequest } from './case.js';
import { DATE_TIMES, sample } from './hostile-values.js';
import { fillPath, typesOf, type Operation, type Parameter, type Schema } from './openapi.js';
import type { Random } from './prng.js';
import { CANONICAL_ID, canonicalId } from './read-back.js';
import { parameterBreaksSchema } from './schema-check.js';

/** A query or header value: the texts to send (several for a repeated key) and a label. */
interface TextValue {
  readonly label: string;
  readonly texts: readonly string[];
  /** Query only: the texts are already percent-encoded and go into the URL as they are. */
  readonly raw?: boolean;
}

const text = (label: string, ...texts: string[]): TextValue => ({ label, texts });
const raw = (label: string, ...texts: string[]): TextValue => ({ label, texts, raw: true });

/** Percent-encoded text for query strings: what a browser or a hostile client can put there. */
const QUERY_TEXTS: readonly TextValue[] = [
  text('empty value', ''),
  raw('NUL %00', 'a%00b'),
  raw('invalid UTF-8 %FF', '%FF'),
  raw('encoded surrogate %ED%A0%80', '%ED%A0%80'),
  raw('overlong %C0%AF', '%C0%AF'),
  raw('lone percent', '%'),
  raw('bad escape %zz', '%zz'),
  raw('plus signs', '+++'),
  text('RTL override', '\u202eevil'),
  text('zero-width characters', 'a\u200b\u200db'),
  text('emoji ZWJ sequence', '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}'),
  text('text "__proto__"', '__proto__'),
  text('text "constructor"', 'constructor'),
  text('text "toString"', 'toString'),
  text('SQL injection', "' OR 1=1 --"),
  text('search DSL as text', '{"query":{"match_all":{}}}'),
  text('wildcards and regex', '*?~/.*/'),
  text('huge value (20,000 chars)', 'x'.repeat(20_000)),
  text('key repeated', 'a', 'b'),
];

function integerTexts(schema: Schema): TextValue[] {
  const min = schema.minimum ?? 0;
  const max = schema.maximum ?? 1e15;
  return [
    text('minimum', String(min)),
    text('maximum', String(max)),
    text('minimum - 1', String(min - 1)),
    text('maximum + 1', String(max + 1)),
    text('a float', '1.5'),
    text('negative zero', '-0'),
    text('exponent form', '1e3'),
    text('1e400', '1e400'),
    text('NaN', 'NaN'),
    text('Infinity', 'Infinity'),
    text('hex', '0x10'),
    raw('leading space', '%201'),
    raw('plus sign', '%2B1'),
    text('leading zeros', '00001'),
    text('23 digits', '99999999999999999999999'),
    text('empty value', ''),
    text('true', 'true'),
    text('repeated', '1', '2'),
  ];
}

const BOOLEAN_TEXTS: readonly TextValue[] = [
  text('yes', 'yes'),
  text('TRUE', 'TRUE'),
  text('1', '1'),
  text('empty value', ''),
  text('null', 'null'),
  text('repeated true and false', 'true', 'false'),
];

function enumTexts(schema: Schema): TextValue[] {
  const [first = '', second = first] = (schema.enum ?? []).map((v) =>
    JSON.stringify(v).replace(/^"|"$/g, ''),
  );
  return [
    text('upper-cased', first.toUpperCase()),
    text('unknown value', 'zzz'),
    text('__proto__', '__proto__'),
    text('two values repeated', first, second),
  ];
}

function idTexts(): TextValue[] {
  const id = randomUUID();
  return [
    text('id upper-cased', id.toUpperCase()),
    raw('id in braces', `%7B${id}%7D`),
    text('id as urn:uuid:', `urn:uuid:${id}`),
    text('id without hyphens', id.replace(/-/g, '')),
    text('nil uuid', '00000000-0000-0000-0000-000000000000'),
    text('unknown canonical uuid', randomUUID()),
  ];
}

function stringTexts(schema: Schema, rng: Random): TextValue[] {
  const values = [...QUERY_TEXTS];
  if (schema.format === 'uuid') values.push(...idTexts());
  if (schema.format === 'date-time') {
    values.push(...DATE_TIMES.map((d) => text(`date-time ${d}`, encodeURIComponent(d))));
  }
  if (schema.enum !== undefined) values.push(...enumTexts(schema));
  if (schema.maxLength !== undefined) {
    values.push(text('maxLength + 1', 'x'.repeat(schema.maxLength + 1)));
    values.push(text('exactly maxLength astral', '\u{1f600}'.repeat(schema.maxLength)));
  }
  values.push(text(`seeded number ${rng.int(0, 9999)}`, String(rng.int(-99999, 99999))));
  return values;
}

/** Hostile texts for a query parameter, by its schema. */
export function queryTexts(schema: Schema, rng: Random): TextValue[] {
  const types = typesOf(schema);
  if (types.includes('array')) {
    const max = schema.maxItems ?? 50;
    return [
      ...stringTexts(schema.items ?? {}, rng),
      text('maxItems + 1 repeats', ...Array.from({ length: max + 1 }, (_, i) => `v${i}`)),
    ];
  }
  if (types.includes('integer') || types.includes('number')) return integerTexts(schema);
  if (types.includes('boolean')) return [...BOOLEAN_TEXTS];
  return stringTexts(schema, rng);
}

/** Latin-1 text only: a real HTTP header can carry nothing else. */
function headerTexts(param: Parameter): TextValue[] {
  const schema = param.schema;
  const values = [
    text('empty', ''),
    text('spaces', '   '),
    text('latin-1 letters', '\u00e9\u00e8\u00ff'),
    text('__proto__', '__proto__'),
    text('8,000 characters', 'x'.repeat(8_000)),
  ];
  if (schema.maxLength !== undefined) {
    values.push(text('maxLength + 1', 'k'.repeat(schema.maxLength + 1)));
    values.push(text('exactly maxLength', 'k'.repeat(schema.maxLength)));
  }
  if (typesOf(schema).includes('integer')) values.push(...integerTexts(schema));
  if (param.name === 'if-match') values.push(...IF_MATCH_TEXTS);
  return values;
}

const IF_MATCH_TEXTS: readonly TextValue[] = [
  text('star', '*'),
  text('quoted text', '"abc"'),
  text('negative version', '"-1"'),
  text('21-digit version', '"999999999999999999999"'),
  text('fractional version', '"1.5"'),
  text('version zero', '"0"'),
  text('two versions', '"1", "2"'),
  text('lone quote', '"'),
  text('weak version 1', 'W/"1"'),
];

/** Texts every parameter gets when they apply; the rest are sampled with the seed. */
const ESSENTIAL_TEXTS = new Set([
  'NUL %00',
  'invalid UTF-8 %FF',
  'huge value (20,000 chars)',
  'maxLength + 1',
  'minimum - 1',
  'maximum + 1',
  'a float',
  '1e400',
  'repeated',
  'key repeated',
  'id upper-cased',
  'id as urn:uuid:',
  'unknown value',
  'maxItems + 1 repeats',
  'latin-1 letters',
  '8,000 characters',
  'quoted text',
  'two versions',
]);

function budgetedTexts(values: readonly TextValue[], rng: Random, extra: number): TextValue[] {
  const essential = values.filter((v) => ESSENTIAL_TEXTS.has(v.label));
  const chosen = new Set([
    ...essential,
    ...sample(
      rng,
      values.filter((v) => !essential.includes(v)),
      extra,
    ),
  ]);
  return values.filter((v) => chosen.has(v));
}

/** A POST on a collection: nothing exists yet for a condition to hold against. */
export const isCreate = (op: Operation): boolean => op.method === 'POST' && !op.path.includes('{');

/** Cases for every path, query and header parameter of an operation, and op-level oddities. */
export function parameterCases(op: Operation, rng: Random): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const param of op.parameters) {
    if (param.in === 'path') cases.push(...pathCases(op, param));
    if (param.in === 'query') {
      for (const v of budgetedTexts(queryTexts(param.schema, rng), rng, 8)) {
        cases.push(queryCase(op, param, v));
      }
    }
    if (param.in === 'header') {
      for (const v of budgetedTexts(headerTexts(param), rng, 6))
        cases.push(headerCase(op, param, v));
    }
  }
  if (op.method === 'GET') cases.push(...extraQueryCases(op));
  if (op.parameters.some((p) => p.name === 'if-match')) cases.push(...ifMatchVersionCases(op));
  return cases;
}

async function plainRequest(op: Operation, env: CaseEnv): Promise<HostileRequest> {
  const values = await env.pathValues(op);
  return {
    method: op.method,
    url: fillPath(op.path, values),
    headers: baseHeaders(op, env),
    resourceValues: values,
    mustReject: false,
  };
}

/** The request with a valid body when the operation takes one: only the parameter is hostile. */
function withValidBody(op: Operation, env: CaseEnv, request: HostileRequest): HostileRequest {
  const body = env.validBody(op);
  if (body === undefined) return request;
  return {
    ...request,
    headers: { 'content-type': 'application/json', ...request.headers },
    payload: body,
    sentBody: JSON.parse(body.toString('utf8')) as unknown,
  };
}

const PATH_TEXTS: readonly TextValue[] = [
  raw('NUL %00', '%00'),
  raw('invalid UTF-8 %FF', '%FF'),
  raw('encoded surrogate', '%ED%A0%80'),
  raw('traversal ..%2F', '..%2F..%2Fhealth%2Flive'),
  raw('encoded slash', 'a%2Fb'),
  raw('101 characters', 'a'.repeat(101)),
  raw('space', '%20'),
  raw('lone percent', '%'),
  text('__proto__', '__proto__'),
  text('constructor', 'constructor'),
];

function pathCases(op: Operation, param: Parameter): HostileCase[] {
  const spellings: ((id: string) => TextValue)[] = [
    (id) => text('id upper-cased', id.toUpperCase()),
    (id) => text('id in braces', `{${id}}`),
    (id) => text('id as urn:uuid:', `urn:uuid:${id}`),
    (id) => text('id without hyphens', id.replace(/-/g, '')),
    (id) => text('id with a trailing space', `${id} `),
    (id) => text('id one character too long', `${id}0`),
    () => text('unknown canonical uuid', randomUUID()),
    () => text('nil uuid', '00000000-0000-0000-0000-000000000000'),
  ];
  const all = [...spellings, ...PATH_TEXTS.map((v) => () => v)];
  return all.map((make, index) => ({
    op,
    label: `path.${param.name}: ${make('00000000-0000-0000-0000-000000000000').label}#${index}`,
    build: async (env) => {
      const values = await env.pathValues(op);
      const id = values[param.name] ?? randomUUID();
      const v = make(id);
      const sent = v.texts[0] ?? '';
      const url = fillPath(
        op.path,
        { ...values, [param.name]: sent },
        new Set(v.raw === true ? [param.name] : []),
      );
      // A spelling the service may normalize reads back under its canonical form.
      const canonical = canonicalId(sent);
      const resourceValues = CANONICAL_ID.test(canonical)
        ? { ...values, [param.name]: canonical }
        : values;
      const respelled = canonical === id && sent !== id && op.method === 'GET';
      return withValidBody(op, env, {
        ...(await plainRequest(op, env)),
        url,
        resourceValues,
        ...(respelled ? { sameAs: fillPath(op.path, values) } : {}),
      });
    },
  }));
}

/** A version to wait for may not arrive: 503 with Retry-After is then the documented answer. */
const waits = (param: Parameter) =>
  /min-?version/i.test(param.name) ? { allowUnavailable: true } : {};

function queryString(name: string, v: TextValue): string {
  return v.texts
    .map((t) => `${encodeURIComponent(name)}=${v.raw === true ? t : encodeURIComponent(t)}`)
    .join('&');
}

function queryCase(op: Operation, param: Parameter, v: TextValue): HostileCase {
  return {
    op,
    label: `query.${param.name}: ${v.label}`,
    build: async (env) => {
      const base = await plainRequest(op, env);
      const breaks = v.raw === true ? undefined : parameterBreaksSchema(param.schema, v.texts);
      return withValidBody(op, env, {
        ...base,
        url: `${base.url}?${queryString(param.name, v)}`,
        mustReject: breaks === true,
        ...waits(param),
      });
    },
  };
}

function headerCase(op: Operation, param: Parameter, v: TextValue): HostileCase {
  return {
    op,
    label: `header.${param.name}: ${v.label}`,
    build: async (env) => {
      const base = await plainRequest(op, env);
      const breaks = parameterBreaksSchema(param.schema, v.texts);
      return withValidBody(op, env, {
        ...base,
        headers: { ...base.headers, [param.name]: v.texts.join(', ') },
        // A create has no version for If-Match to hold against (API.md: refused, 412).
        mustReject: breaks === true || (param.name === 'if-match' && isCreate(op)),
        ...waits(param),
      });
    },
  };
}

/** Query keys no schema names: prototype names, brackets, attribute filters, a huge query. */
function extraQueryCases(op: Operation): HostileCase[] {
  const queries: [string, string][] = [
    ['unknown parameter', 'unknownParam=1'],
    ['__proto__ key', '__proto__=x&__proto__[polluted]=1'],
    ['constructor key', 'constructor=x&constructor.prototype.polluted=1'],
    ['toString and hasOwnProperty keys', 'toString=x&hasOwnProperty=y'],
    ['bracket keys', 'a[]=1&a[b]=2'],
    ['attr.__proto__ filter', 'attr.__proto__=x'],
    ['attr.constructor filter', 'attr.constructor=x'],
    ['empty attr. filter', 'attr.=x'],
    ['only separators', '&&&=&='],
    ['100,000-char query', `q=${'y'.repeat(100_000)}`],
  ];
  return queries.map(([label, query]) => ({
    op,
    label: `query: ${label}`,
    build: async (env) => {
      const base = await plainRequest(op, env);
      return withValidBody(op, env, { ...base, url: `${base.url}?${query}` });
    },
  }));
}

/** If-Match against the resource's real version: right, one behind, weak, unquoted. */
function ifMatchVersionCases(op: Operation): HostileCase[] {
  const variants: [string, (v: number) => string, boolean][] = [
    ['current version', (v) => `"${v}"`, false],
    ['current version, weak', (v) => `W/"${v}"`, false],
    ['current version, unquoted with spaces', (v) => ` ${v} `, false],
    ['previous version', (v) => `"${v - 1}"`, true],
    ['next version', (v) => `"${v + 1}"`, true],
  ];
  return variants.map(([label, header, stale]) => ({
    op,
    label: `header.if-match: ${label}`,
    build: async (env) => {
      const base = await plainRequest(op, env);
      const version = await env.versionOf(op, await env.pathValues(op));
      return withValidBody(op, env, {
        ...base,
        headers: { ...base.headers, 'if-match': header(version ?? 1) },
        mustReject: isCreate(op) || (stale && version !== undefined),
      });
    },
  }));
}
