import type { PoolClient } from '../../stores/postgres.js';
import { Problem } from '../../http/problems.js';
import { DomainError } from '../domain-error.js';

/** What a route passes to a command besides the command itself. */
export interface CommandContext<Snapshot> {
  readonly correlationId: string | null;
  /** From If-Match: the command applies only to this version. */
  readonly expectedVersion?: number | undefined;
  /** Runs inside the command's transaction just before commit (e.g. storing an idempotent response). */
  readonly beforeCommit?: ((client: PoolClient, snapshot: Snapshot) => Promise<void>) | undefined;
}

export function problemOf(error: DomainError): Problem {
  const errors =
    error.details ??
    (error.field === undefined ? undefined : [{ field: error.field, message: error.message }]);
  return new Problem(error.code, error.message, errors);
}

/** The pure decision, with domain refusals turned into problems for the client. */
export function decided<T>(decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    if (error instanceof DomainError) throw problemOf(error);
    throw error;
  }
}

export function checkExpectedVersion(
  kind: string,
  actual: number,
  expected: number | undefined,
): void {
  if (expected !== undefined && expected !== actual) {
    throw new Problem(
      'version_mismatch',
      `the ${kind} is at version ${actual}, not ${expected}`,
      undefined,
      { etag: `"${actual}"` },
    );
  }
}
