import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { waitFor } from '../support/wait.js';
import { validBodyOf } from './body-cases.js';
import type { CaseEnv } from './case.js';
import { NDJSON } from './import-cases.js';
import { routeName, type Operation } from './openapi.js';

type Admin = (options: InjectOptions) => Promise<LightMyRequestResponse>;

const PATH_PARAM = /\/([^/{}]+)\/\{([^}]+)\}/g;

/**
 * The catalog-write side of a case: existing resources for path ids (one product, category,
 * import or search rule per operation, made again when a case deleted it), the root category for
 * `categoryId` and `parentId`, two products for a rule's `pin` and `hide` (so rule writes can be
 * accepted), and versions for If-Match.
 */
export class WriteEnv implements CaseEnv {
  readonly authorization: string;
  readonly alsoFill = ['pin'] as const;
  private counter = 0;
  private writes = 0;
  private readonly owned = new Map<string, Record<string, string>>();

  /** The admin client fixtures and scenario steps write through, so their writes are seen. */
  readonly admin: Admin = (options) => {
    if (options.method !== 'GET') this.writes++;
    return this.client(options);
  };

  private constructor(
    private readonly client: Admin,
    token: string,
    private readonly base: string,
    private readonly rootCategory: string,
    private readonly importId: string,
    private readonly ruleProducts: { readonly pin: string; readonly hide: string },
    private readonly ops: readonly Operation[],
  ) {
    this.authorization = `Bearer ${token}`;
  }

  static async start(admin: Admin, token: string, ops: readonly Operation[]): Promise<WriteEnv> {
    const base = '/admin/v1';
    const root = await created(
      admin({
        method: 'POST',
        url: `${base}/categories`,
        payload: { slug: `root-${randomUUID()}`, name: 'Root' },
      }),
    );
    const imported = await admin({
      method: 'POST',
      url: `${base}/imports`,
      headers: { 'content-type': NDJSON },
      payload: `${JSON.stringify({ sku: `FIX-${randomUUID()}`, name: 'Fixture import' })}\n`,
    });
    const importId = imported.json<{ importId: string }>().importId;
    // Finished before the first case, so it writes nothing while cases are judged.
    await waitFor('the fixture import', async () => {
      const progress = await admin({ method: 'GET', url: `${base}/imports/${importId}` });
      return progress.json<{ done?: boolean }>().done === true ? true : undefined;
    });
    const ruleProducts = {
      pin: await fixtureProduct(admin, base, 'pin'),
      hide: await fixtureProduct(admin, base, 'hide'),
    };
    return new WriteEnv(admin, token, base, root, importId, ruleProducts, ops);
  }

  takeWrites(): boolean {
    const wrote = this.writes > 0;
    this.writes = 0;
    return wrote;
  }

  unique(): number {
    return ++this.counter;
  }

  idForField(field: string): string | undefined {
    if (field === 'categoryId' || field === 'parentId') return this.rootCategory;
    if (field === 'pin' || field === 'hide') return this.ruleProducts[field];
    return undefined;
  }

  validBody(op: Operation): Buffer | undefined {
    return validBodyOf(op, this);
  }

  async pathValues(op: Operation): Promise<Record<string, string>> {
    const key = routeName(op);
    const cached = this.owned.get(key);
    if (cached !== undefined && (op.method !== 'DELETE' || (await this.alive(op, cached)))) {
      return cached;
    }
    const values: Record<string, string> = {};
    for (const [, collection, param] of op.path.matchAll(PATH_PARAM)) {
      if (param !== undefined) values[param] = await this.resourceIn(collection ?? '');
    }
    this.owned.set(key, values);
    return values;
  }

  async versionOf(op: Operation, values: Record<string, string>): Promise<number | undefined> {
    const url = this.readUrl(op, values);
    if (url === undefined) return undefined;
    const response = await this.admin({ method: 'GET', url });
    if (response.statusCode !== 200) return undefined;
    const version = response.json<{ version?: unknown }>().version;
    return typeof version === 'number' ? version : undefined;
  }

  private async alive(op: Operation, values: Record<string, string>): Promise<boolean> {
    const url = this.readUrl(op, values);
    if (url === undefined) return true;
    const response = await this.admin({ method: 'GET', url });
    const status =
      response.statusCode === 200 ? response.json<{ status?: unknown }>().status : 'gone';
    return status !== 'gone' && status !== 'deleted';
  }

  private readUrl(op: Operation, values: Record<string, string>): string | undefined {
    const match = /^(.*?\/[^/{}]+\/\{[^}]+\})/.exec(op.path);
    const path = match?.[1];
    if (path === undefined || !this.ops.some((o) => o.method === 'GET' && o.path === path))
      return undefined;
    return path.replace(/\{([^}]+)\}/g, (_m, name: string) => values[name] ?? '');
  }

  /** A fresh resource of the collection a path parameter names. */
  private async resourceIn(collection: string): Promise<string> {
    const n = this.unique();
    switch (collection) {
      case 'products':
        return fixtureProduct(this.admin, this.base, String(n));
      case 'categories':
        return created(
          this.admin({
            method: 'POST',
            url: `${this.base}/categories`,
            payload: { slug: `fixture-${n}`, name: `Fixture ${n}`, parentId: this.rootCategory },
          }),
        );
      case 'imports':
        return this.importId;
      case 'rules':
        return created(
          this.admin({
            method: 'POST',
            url: `${this.base}/search/rules`,
            payload: { query: `fixture ${n}`, match: 'exact', pin: [this.ruleProducts.pin] },
          }),
        );
      default:
        return randomUUID();
    }
  }
}

/** A published product; `name` tells fixtures apart. */
async function fixtureProduct(admin: Admin, base: string, name: string): Promise<string> {
  const id = await created(
    admin({
      method: 'POST',
      url: `${base}/products`,
      payload: {
        sku: `FIX-${name}-${randomUUID().slice(0, 8)}`,
        name: `Fixture ${name}`,
        price: { amountMinor: 1000, currency: 'EUR' },
        stock: { main: 10 },
      },
    }),
  );
  await admin({ method: 'POST', url: `${base}/products/${id}/publish` });
  return id;
}

async function created(response: Promise<LightMyRequestResponse>): Promise<string> {
  const r = await response;
  if (r.statusCode !== 201) throw new Error(`fixture not created: ${r.statusCode} ${r.body}`);
  return r.json<{ id: string }>().id;
}
