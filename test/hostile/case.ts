import type { LightMyRequestResponse } from 'fastify';
import type { Operation } from './openapi.js';
import type { Fixtures } from './valid.js';

/** What a case needs from the running system to build its request. */
export interface CaseEnv extends Fixtures {
  /** Existing ids for the operation's path parameters (a product for `products/{id}`). */
  pathValues(op: Operation): Promise<Record<string, string>>;
  /** The Authorization header a legitimate caller of this operation sends, if any. */
  readonly authorization?: string;
  /** The current version of the resource at this path, for If-Match cases. */
  versionOf(op: Operation, pathValues: Record<string, string>): Promise<number | undefined>;
  /** Whether the env wrote to the service since the last call (fixtures, scenario steps). */
  takeWrites?(): boolean;
  /** A valid body for the operation (fresh unique values each call), or undefined for none. */
  validBody(op: Operation): Buffer | undefined;
}

export interface HostileRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: Buffer | string;
  /** The body as the server should understand it, for read-back after an accepted write. */
  readonly sentBody?: unknown;
  /** The canonical path values of the resource the request is about, for read-back. */
  readonly resourceValues?: Record<string, string>;
  /** The answer must be a 4xx (the input breaks the published schema or a text rule). */
  readonly mustReject: boolean;
  /** When set, the only statuses allowed. */
  readonly expectStatus?: readonly number[];
  /**
   * A 503 with Retry-After is a documented answer here: a read asked for a version the read
   * model does not hold yet (minVersion), and the bounded wait ran out.
   */
  readonly allowUnavailable?: boolean;
  /**
   * The URL of the same read with the id in its canonical spelling: another spelling must be
   * refused or answer exactly the same, never a second identity (an empty history, a 404).
   */
  readonly sameAs?: string;
  /** Checks of this case alone (an idempotent replay answers exactly as the first time). */
  readonly verify?: (response: LightMyRequestResponse) => string[];
}

/** One generated case: an operation, what is hostile about it, and how to build it. */
export interface HostileCase {
  readonly op: Operation;
  /** ASCII, e.g. `body.name: lone high surrogate escape`. */
  readonly label: string;
  build(env: CaseEnv): Promise<HostileRequest>;
}

/** Headers a request of this operation always carries (the bearer token when secured). */
export function baseHeaders(op: Operation, env: CaseEnv): Record<string, string> {
  return op.secured && env.authorization !== undefined ? { authorization: env.authorization } : {};
}
