import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { waitFor } from '../support/wait.js';
import { fieldsOf } from './body-cases.js';
import { baseHeaders, type CaseEnv, type HostileCase, type HostileRequest } from './case.js';
import { hostileValues, sample } from './hostile-values.js';
import type { Operation, Schema } from './openapi.js';
import { bodyWith, parsedBody, type HostileValue } from './pieces.js';
import type { Random } from './prng.js';
import { brief, differences, expectedStored } from './read-back.js';
import { bodyBreaksContract, hasIllFormedText } from './schema-check.js';
import { validObject, type Fixtures } from './valid.js';

export const NDJSON = 'application/x-ndjson';

/** Which line of an import is hostile and what must become of it. */
interface LineSpec {
  /** Every line as sent, the hostile one second; valid lines carry their id. */
  readonly lines: readonly Buffer[];
  readonly hostileLine: number;
  readonly mustReject: boolean;
  readonly parsed: readonly unknown[];
}

/** The import request of a case, with the line facts its read-back needs. */
export type ImportRequest = HostileRequest & { readonly lines?: LineSpec };

/**
 * Values an import line gets: every one that must be refused (they failed whole imports before)
 * and a seeded sample of the rest, ids in other spellings and prototype keys first.
 */
function lineValues(field: { schema: Schema }, rng: Random, knownId?: string): HostileValue[] {
  const all = hostileValues(field.schema, rng, knownId);
  const refused = all.filter((v) => v.mustReject === true || v.piece.kind !== 'value');
  const named = all.filter((v) => !refused.includes(v) && /^(id |key |text ")/.test(v.label));
  const rest = all.filter((v) => !refused.includes(v) && !named.includes(v));
  return [...refused, ...sample(rng, named, 2), ...sample(rng, rest, 1)];
}

const IMPORTED_FIELDS = /^(id|name|categoryId|stock|stock\.[^.]+|attributes\.[^.]+)$/;

/**
 * Hostile NDJSON imports: one hostile line between two valid ones (each must be judged alone,
 * by its number), and whole bodies that are not NDJSON in UTF-8.
 */
export function importCases(
  op: Operation,
  lineSchema: Schema,
  rng: Random,
  fixtures: Fixtures,
): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const field of fieldsOf(lineSchema, fixtures)) {
    if (!IMPORTED_FIELDS.test(field.path.join('.'))) continue;
    const knownId =
      field.schema.format === 'uuid' ? fixtures.idForField(field.path.at(-1) ?? '') : undefined;
    for (const hostile of lineValues(field, rng, knownId)) {
      cases.push({
        op,
        label: `line 2 .${field.path.join('.')}: ${hostile.label}`,
        build: (env) => {
          const base = () => ({ id: randomUUID(), ...validObject(lineSchema, env) });
          const valid = () => Buffer.from(JSON.stringify(base()));
          const lines = [valid(), bodyWith(base(), field.path, hostile.piece), valid()];
          return importRequest(op, env, lines, 1, hostile.mustReject === true, lineSchema);
        },
      });
    }
  }
  return [...cases, ...wholeImportCases(op)];
}

function importRequest(
  op: Operation,
  env: CaseEnv,
  lines: Buffer[],
  hostileIndex: number,
  forced: boolean,
  lineSchema: Schema,
): Promise<ImportRequest> {
  const parsed = lines.map((l) => parsedBody(l));
  const hostile = parsed[hostileIndex];
  const mustReject = forced || hostile === undefined || bodyBreaksContract(lineSchema, hostile);
  const payload = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
  return Promise.resolve({
    method: op.method,
    url: op.path,
    headers: { ...baseHeaders(op, env), 'content-type': NDJSON },
    payload,
    mustReject: false,
    expectStatus: [202],
    lines: { lines, hostileLine: hostileIndex + 1, mustReject, parsed },
  });
}

function wholeImportCases(op: Operation): HostileCase[] {
  const line = () => Buffer.from(JSON.stringify({ sku: `IMP-${randomUUID()}`, name: 'Imported' }));
  const bodies: [string, string, () => Buffer, number[]][] = [
    ['charset iso-8859-1', `${NDJSON}; charset=iso-8859-1`, line, [415]],
    ['application/json', 'application/json', line, [415]],
    ['text/plain', 'text/plain', line, [415]],
    ['empty body', NDJSON, () => Buffer.alloc(0), [400]],
    [
      'UTF-16LE file',
      NDJSON,
      () =>
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(`${line().toString()}\n`, 'utf16le'),
        ]),
      [202],
    ],
    [
      'CRLF line ends',
      NDJSON,
      () => Buffer.from(`${line().toString()}\r\n${line().toString()}\r\n`),
      [202],
    ],
    ['no trailing newline', NDJSON, line, [202]],
    ['only blank lines', NDJSON, () => Buffer.from('\n\n\r\n'), [202, 400]],
    [
      'UTF-8 BOM first',
      NDJSON,
      () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), line()]),
      [202],
    ],
    [
      'NUL bytes between lines',
      NDJSON,
      () => Buffer.concat([line(), Buffer.from('\n\u0000\u0000\n'), line()]),
      [202],
    ],
    ['a JSON array line', NDJSON, () => Buffer.from('[1,2]\n'), [202]],
    [
      'a 2 MB line',
      NDJSON,
      () => Buffer.from(`{"sku":"BIG","name":"${'n'.repeat(2_000_000)}"}\n`),
      [202, 413],
    ],
    [
      '100,000 nested arrays',
      NDJSON,
      () => Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}\n`),
      [202],
    ],
    [
      'top-level __proto__ line',
      NDJSON,
      () => Buffer.from('{"__proto__":{"polluted":true},"sku":"P1","name":"p"}\n'),
      [202],
    ],
  ];
  return bodies.map(([label, contentType, make, expect]) => ({
    op,
    label: `body: ${label}`,
    build: (env) =>
      Promise.resolve({
        method: op.method,
        url: op.path,
        headers: { ...baseHeaders(op, env), 'content-type': contentType },
        payload: make(),
        mustReject: false,
        expectStatus: expect,
      }),
  }));
}

interface Progress {
  state: string;
  done: boolean;
  accepted: number;
  rejected: number;
  rejections: { line: number; reason: string }[];
}

/**
 * After a 202: the import ends `completed`, the hostile line is rejected by its number when it
 * must be, the valid lines are imported as sent, and an accepted hostile line reads back as sent.
 */
export async function importReadBack(
  request: ImportRequest,
  response: LightMyRequestResponse,
  get: (url: string) => Promise<LightMyRequestResponse>,
  lineSchema: Schema,
  productsPath: string,
): Promise<string[]> {
  const location = response.headers['location'];
  if (typeof location !== 'string') return ['202 without a Location'];
  const progress = await waitFor(`import ${location} to finish`, async () => {
    const p = (await get(location)).json<Progress>();
    return p.done ? p : undefined;
  });
  const problems: string[] = [];
  if (progress.state !== 'completed') problems.push(`import ended ${progress.state}`);
  const spec = request.lines;
  if (spec === undefined) return problems;
  const rejected = new Map(progress.rejections.map((r) => [r.line, r.reason]));
  if (progress.rejections.some((r) => hasIllFormedText(r.reason))) {
    problems.push('a rejection reason is not well-formed text');
  }
  for (let i = 0; i < spec.lines.length; i++) {
    const number = i + 1;
    const hostile = number === spec.hostileLine;
    if (rejected.has(number)) {
      if (!hostile) problems.push(`valid line ${number} rejected: ${brief(rejected.get(number))}`);
      continue;
    }
    if (hostile && spec.mustReject) {
      problems.push(`line ${number} breaks the contract but was not rejected`);
      continue;
    }
    const read = (id: string) => get(`${productsPath}/${id}`);
    problems.push(...(await lineReadBack(spec.parsed[i], number, read, lineSchema)));
  }
  return problems;
}

async function lineReadBack(
  sent: unknown,
  number: number,
  get: (url: string) => Promise<LightMyRequestResponse>,
  lineSchema: Schema,
): Promise<string[]> {
  const id = (sent as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') return [];
  const expected = expectedStored(sent, lineSchema) as Record<string, unknown>;
  const read = await get(String(expected['id']));
  if (read.statusCode !== 200) return [`accepted line ${number} reads as ${read.statusCode}`];
  const doc = read.json<Record<string, unknown>>();
  const { stock, ...rest } = expected;
  const byWarehouse = (doc['stock'] as { byWarehouse?: unknown } | undefined)?.byWarehouse;
  return [
    ...differences(rest, doc, `line ${number}`),
    ...(stock === undefined ? [] : differences(stock, byWarehouse, `line ${number}.stock`)),
  ];
}
