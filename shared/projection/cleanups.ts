/**
 * Runs every cleanup in order, even after one fails, so one failure (a drain that throws) never
 * leaves a later resource (a Redis connection) open. Fails at the end with every error.
 */
export async function runCleanups(
  what: string,
  cleanups: readonly (() => Promise<unknown> | undefined)[],
): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0)
    throw new AggregateError(
      errors,
      `${errors.length} of ${cleanups.length} steps of closing ${what} failed`,
    );
}

/** Wraps a close function so that every call after the first returns the first call's promise. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
