import type { CaseEnv } from './case.js';
import type { Operation } from './openapi.js';

/**
 * A read-only service's side of a case: every path id is one existing product (a read model
 * with data behind it answers more code than an empty one), nothing is ever written.
 */
export class ReadEnv implements CaseEnv {
  private counter = 0;
  readonly authorization?: string;

  constructor(
    private readonly productId: string,
    authorization?: string,
  ) {
    if (authorization !== undefined) this.authorization = authorization;
  }

  unique(): number {
    return ++this.counter;
  }

  idForField(): string | undefined {
    return undefined;
  }

  validBody(): Buffer | undefined {
    return undefined;
  }

  takeWrites(): boolean {
    return false;
  }

  pathValues(op: Operation): Promise<Record<string, string>> {
    const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    return Promise.resolve(Object.fromEntries(names.map((name) => [name, this.productId])));
  }

  versionOf(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }
}
