/**
 * The default branch of an exhaustive switch over a union: it compiles only when every member
 * is handled, and at run time (data from outside the type system) it fails with the value.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${describe(value)}`);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // a cycle or a bigint
  }
}
