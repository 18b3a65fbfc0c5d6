import type { Parser } from './parsers.js';

export interface Setting<T> {
  readonly env: string;
  readonly doc: string;
  /** The raw default, matching what `npm run infra:up` provides locally; absent means "unset". */
  readonly default?: string;
  readonly parse: Parser<T>;
  /** Secrets are never echoed back in error messages or logs. */
  readonly secret?: boolean;
}

/** Overloads keep whether a default exists in the type, so Config knows what may be unset. */
export function setting<T>(s: Setting<T> & { default: string }): Setting<T> & { default: string };
export function setting<T>(s: Setting<T>): Setting<T>;
export function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}
