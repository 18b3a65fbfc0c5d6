import { validatorCompiler } from '../../http/validation.js';
import { DomainError } from '../domain-error.js';
import { createCommand, type CreateBody } from '../products/create-body.js';
import { decideProduct, type ProductDecision } from '../products/decide.js';
import { createProductBody } from '../products/schemas.js';

/** What one import line becomes: a product to create, or the reason it is refused. */
export type LineOutcome =
  | { readonly ok: true; readonly decision: ProductDecision }
  | { readonly ok: false; readonly reason: string };

interface Issue {
  readonly instancePath?: string;
  readonly message?: string;
  readonly keyword?: string;
  readonly params?: Record<string, unknown>;
}

const MAX_ISSUES = 5;

/**
 * The very validator POST /products uses (Ajv 8 with formats, no coercion, every error, no
 * U+0000 in text), so a line is accepted exactly when the same body would be over HTTP.
 */
const validate = validatorCompiler()({
  schema: createProductBody,
  httpPart: 'body',
  method: 'POST',
  url: '/admin/v1/imports',
});

/**
 * Parses, validates and decides one line; pure apart from the generated ids. A line carries
 * `options` and `variants` as the create body does, and any bad variant refuses its line alone.
 */
export function decideLine(text: string, now: string): LineOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return refuse(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = validate(body) as { error?: { validation?: readonly Issue[] } } | boolean;
  if (typeof result === 'object' && result.error !== undefined) {
    return refuse(`invalid product: ${describeIssues(result.error.validation ?? [])}`);
  }
  try {
    return {
      ok: true,
      decision: decideProduct(createCommand(body as CreateBody), undefined, now),
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return refuse(`${error.code.replaceAll('_', ' ')}: ${withField(error.field, error.message)}`);
  }
}

const refuse = (reason: string): LineOutcome => ({ ok: false, reason });

export const withField = (field: string | undefined, message: string): string =>
  field === undefined || field === '' ? message : `${field}: ${message}`;

/** `price.amountMinor: must be integer; colour: is not a known field` (the first few). */
function describeIssues(issues: readonly Issue[]): string {
  const described = issues.map((issue) => {
    const path = (issue.instancePath ?? '').split('/').filter(Boolean);
    const extra = issue.params?.['additionalProperty'] ?? issue.params?.['missingProperty'];
    if (typeof extra === 'string') path.push(extra);
    const message =
      issue.keyword === 'additionalProperties'
        ? 'is not a known field'
        : issue.keyword === 'required'
          ? 'is required'
          : (issue.message ?? 'is invalid');
    return withField(path.join('.'), message);
  });
  const unique = [...new Set(described)];
  const shown = unique.slice(0, MAX_ISSUES).join('; ');
  return unique.length > MAX_ISSUES ? `${shown}; and ${unique.length - MAX_ISSUES} more` : shown;
}
