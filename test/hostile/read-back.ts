import type { LightMyRequestResponse } from 'fastify';
import type { HostileRequest } from './case.js';
import { fillPath, type Operation, type Schema } from './openapi.js';

export const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Get = (url: string) => Promise<LightMyRequestResponse>;

/** The one stored spelling of an id sent in another: lower case, no braces, no `urn:uuid:`. */
export function canonicalId(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/^urn:uuid:/, '')
    .replace(/^\{(.*)\}$/, '$1');
}

/**
 * What the server must store for a sent value: the same, ids in their canonical spelling, and
 * date-times as the same instant in UTC (API.md: a rule's active times are UTC instants).
 */
export function expectedStored(sent: unknown, schema: Schema): unknown {
  if (typeof sent === 'string' && schema.format === 'uuid') return canonicalId(sent);
  if (typeof sent === 'string' && schema.format === 'date-time') return utcInstant(sent);
  if (Array.isArray(sent)) return sent.map((item) => expectedStored(item, schema.items ?? {}));
  if (sent !== null && typeof sent === 'object') {
    const entry =
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
    return Object.fromEntries(
      Object.entries(sent).map(([key, v]) => [
        key,
        expectedStored(v, schema.properties?.[key] ?? entry),
      ]),
    );
  }
  return sent;
}

/** An accepted date-time as the server answers it; a text that is no instant stays as sent. */
function utcInstant(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/**
 * Differences between what was sent and what was read: every sent value must be there exactly
 * (no U+FFFD, no truncation, no dropped key); the read side may add fields of its own.
 */
export function differences(expected: unknown, got: unknown, at = ''): string[] {
  if (expected === null && got === undefined) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length) {
      return [`${at}: sent ${brief(expected)}, read ${brief(got)}`];
    }
    return expected.flatMap((item, i) => differences(item, got[i], `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) {
      return [`${at}: sent ${brief(expected)}, read ${brief(got)}`];
    }
    const read = got as Record<string, unknown>;
    return Object.entries(expected).flatMap(([key, v]) =>
      differences(v, Object.hasOwn(read, key) ? read[key] : undefined, `${at}.${key}`),
    );
  }
  // -0 and 0, 1.0 and 1 are one JSON number.
  const same = JSON.stringify(expected) === JSON.stringify(got);
  return same ? [] : [`${at}: sent ${brief(expected)}, read ${brief(got)}`];
}

/** A short, ASCII rendering of a value for a failure message. */
export function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  const cut = text.length > 80 ? `${text.slice(0, 60)}...(${text.length} chars)` : text;
  return cut.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Reads a write back through the service's own GET of the resource: the Location of a create,
 * else the closest GET route above the operation's path (`/products/{id}` for `.../price`).
 */
export class ReadBack {
  constructor(
    private readonly ops: readonly Operation[],
    private readonly get: Get,
  ) {}

  /** What a comparison needs from before the request: the resource as it was. */
  async before(op: Operation, request: HostileRequest): Promise<unknown> {
    const url = this.resourceUrl(op, request);
    if (url === undefined || !op.path.endsWith('-adjustments')) return undefined;
    const response = await this.get(url);
    return response.statusCode === 200 ? response.json<unknown>() : undefined;
  }

  async check(
    op: Operation,
    request: HostileRequest,
    response: LightMyRequestResponse,
    before: unknown,
  ): Promise<string[]> {
    const created = createdId(response);
    const problems =
      created !== undefined && !CANONICAL_ID.test(created)
        ? [`answered the id ${brief(created)}, not a canonical uuid`]
        : [];
    if (request.sentBody === undefined || op.body === undefined) return problems;
    const url = locationOf(response) ?? this.resourceUrl(op, request);
    if (url === undefined) return problems;
    const read = await this.get(url);
    if (read.statusCode !== 200)
      return [...problems, `read-back GET ${url} answered ${read.statusCode}`];
    const doc = read.json<Record<string, unknown>>();
    return [...problems, ...this.compare(op, request.sentBody, doc, before, response)];
  }

  private compare(
    op: Operation,
    sent: unknown,
    doc: Record<string, unknown>,
    before: unknown,
    response: LightMyRequestResponse,
  ): string[] {
    if (op.path.endsWith('-adjustments')) return stockDifferences(sent, doc, before, response);
    const expected = expectedStored(sent, op.body?.schema ?? {}) as Record<string, unknown>;
    const segment = op.path.split('/').pop() ?? '';
    const target = !segment.startsWith('{') && Object.hasOwn(doc, segment) ? doc[segment] : doc;
    if (Array.isArray(target)) {
      const found = target.some((item) => differences(expected, item).length === 0);
      return found ? [] : [`no ${segment} item reads as sent ${brief(expected)}`];
    }
    // A stock map is read back as stock.byWarehouse.
    const stock = (target as Record<string, unknown>)['stock'];
    if (expected['stock'] !== undefined && isRecord(stock) && isRecord(stock['byWarehouse'])) {
      const { stock: sentStock, ...rest } = expected;
      return [
        ...differences(rest, target),
        ...differences(sentStock, stock['byWarehouse'], '.stock.byWarehouse'),
      ];
    }
    return differences(expected, target);
  }

  private resourceUrl(op: Operation, request: HostileRequest): string | undefined {
    const values = request.resourceValues ?? {};
    let path = op.path;
    for (;;) {
      if (this.ops.some((o) => o.method === 'GET' && o.path === path)) {
        try {
          return fillPath(path, values);
        } catch {
          return undefined;
        }
      }
      const cut = path.lastIndexOf('/');
      if (cut <= 0) return undefined;
      path = path.slice(0, cut);
    }
  }
}

function stockDifferences(
  sent: unknown,
  doc: Record<string, unknown>,
  before: unknown,
  response: LightMyRequestResponse,
): string[] {
  if (!isRecord(sent) || typeof sent['warehouse'] !== 'string') return [];
  const warehouse = sent['warehouse'];
  const onHand = (d: unknown): number => {
    const stock = isRecord(d) ? d['stock'] : undefined;
    const byWarehouse = isRecord(stock) ? stock['byWarehouse'] : undefined;
    const n =
      isRecord(byWarehouse) && Object.hasOwn(byWarehouse, warehouse) ? byWarehouse[warehouse] : 0;
    return typeof n === 'number' ? n : NaN;
  };
  const expected = onHand(before) + Number(sent['delta']);
  const problems =
    onHand(doc) === expected
      ? []
      : [`stock in ${brief(warehouse)}: expected ${expected}, read ${onHand(doc)}`];
  const answered = response.json<Record<string, unknown>>()['available'];
  const available = isRecord(doc['stock']) ? doc['stock']['available'] : undefined;
  if (answered !== available)
    problems.push(`answered available ${brief(answered)}, read ${brief(available)}`);
  return problems;
}

function createdId(response: LightMyRequestResponse): string | undefined {
  if (response.statusCode !== 201) return undefined;
  const body = response.json<Record<string, unknown>>();
  return typeof body['id'] === 'string' ? body['id'] : undefined;
}

function locationOf(response: LightMyRequestResponse): string | undefined {
  const location = response.headers['location'];
  return response.statusCode === 201 && typeof location === 'string' ? location : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
