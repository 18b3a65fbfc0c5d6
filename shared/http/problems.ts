/**
 * The one catalogue of problem types (RFC 9457). Every error a client can see has a stable
 * code here; the code is the last segment of the `type` URI.
 */
export const problemCatalogue = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  malformed_request: { status: 400, title: 'The request is not valid HTTP' },
  request_timeout: { status: 408, title: 'The request took too long to arrive' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  forbidden: { status: 403, title: 'This token may not do that' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  version_mismatch: { status: 409, title: 'The resource has changed since that version' },
  precondition_failed: { status: 412, title: 'The precondition does not hold' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'This content type is not accepted' },
  expectation_failed: { status: 417, title: 'The expectation cannot be met' },
  sku_taken: { status: 409, title: 'Another product has this SKU' },
  option_combination_taken: {
    status: 409,
    title: 'Another variant of the product has these option values',
  },
  insufficient_stock: { status: 409, title: 'Not enough stock for this adjustment' },
  invalid_transition: {
    status: 409,
    title: 'The product cannot go to that state from its current one',
  },
  category_cycle: {
    status: 409,
    title: 'A category cannot be placed under itself or its descendants',
  },
  slug_taken: { status: 409, title: 'A sibling category has this slug' },
  category_not_empty: {
    status: 409,
    title: 'The category still has child categories or live products',
  },
  idempotency_key_in_use: {
    status: 409,
    title: 'A request with this Idempotency-Key is still being processed',
  },
  rule_violated: { status: 422, title: 'A catalog rule forbids this change' },
  unknown_category: { status: 422, title: 'The category does not exist' },
  unknown_product: { status: 422, title: 'A referenced product does not exist' },
  idempotency_key_reused: {
    status: 422,
    title: 'This Idempotency-Key was used with another request',
  },
  too_many_requests: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
} as const;

export type ProblemCode = keyof typeof problemCatalogue;

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: ProblemCode;
  readonly errors?: readonly FieldProblem[];
}

export const PROBLEM_TYPE_BASE = 'https://aisle.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Thrown by routes and domain adapters; the error handler renders it as problem+json. */
export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly errors?: readonly FieldProblem[],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail ?? problemCatalogue[code].title);
    this.name = 'Problem';
    this.status = problemCatalogue[code].status;
  }
}

export function problemDocument(
  code: ProblemCode,
  detail?: string,
  errors?: readonly FieldProblem[],
  instance?: string,
): ProblemDocument {
  const entry = problemCatalogue[code];
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: entry.title,
    status: entry.status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(instance === undefined ? {} : { instance }),
    ...(errors === undefined ? {} : { errors }),
  };
}

/** JSON Schema of a problem document, used in every route's error responses and the OpenAPI. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
