/**
 * Why the domain refused a command, with a stable code that the HTTP layer maps 1:1 onto its
 * problem catalogue: `rule_violated` (422) is a catalog rule the request breaks; `not_found` (404)
 * a part of the aggregate that does not exist (a variant); `validation_failed` (400) input the
 * JSON Schema cannot judge alone (a malformed synonym line); `unknown_category` and
 * `unknown_product` (422) references to nothing; the others (409) are clashes with the current
 * state.
 */
export type DomainErrorCode =
  | 'rule_violated'
  | 'unknown_category'
  | 'insufficient_stock'
  | 'invalid_transition'
  | 'category_cycle'
  | 'category_not_empty'
  | 'slug_taken'
  | 'sku_taken'
  | 'option_combination_taken'
  | 'conflict'
  | 'not_found'
  | 'validation_failed'
  | 'unknown_product';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
    /** Several fields at fault at once (every bad synonym line); replaces `field` when given. */
    readonly details?: readonly { readonly field: string; readonly message: string }[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const rule = (message: string, field?: string): DomainError =>
  new DomainError('rule_violated', message, field);
