import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { CaseEnv, HostileCase, HostileRequest } from './case.js';
import type { Operation } from './openapi.js';
import { brief } from './read-back.js';

type Admin = (options: InjectOptions) => Promise<LightMyRequestResponse>;

/**
 * Hostile sequences a single request cannot express: an id that already exists in another
 * spelling, a category that is its own parent, Idempotency-Key replays and reuse, prototype
 * names as warehouses going below zero. Each case prepares state, then sends the hostile request.
 */
export function writeScenarios(ops: readonly Operation[], admin: Admin): HostileCase[] {
  const find = (method: string, suffix: string) =>
    ops.find((o) => o.method === method && o.path.endsWith(suffix));
  const createProduct = find('POST', '/products');
  const createCategory = find('POST', '/categories');
  const patchCategory = find('PATCH', '/categories/{id}');
  const adjust = find('POST', '/products/{id}/stock-adjustments');
  if (!createProduct || !createCategory || !patchCategory || !adjust) return [];
  const json = (body: unknown) => Buffer.from(JSON.stringify(body));
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) =>
    admin({ method: 'POST', url, payload: body as Record<string, unknown>, headers });
  const product = (env: CaseEnv, extra: Record<string, unknown> = {}) => ({
    sku: `SCN-${env.unique()}-${randomUUID().slice(0, 6)}`,
    name: 'Scenario product',
    ...extra,
  });
  const category = (env: CaseEnv, extra: Record<string, unknown> = {}) => ({
    slug: `scenario-${env.unique()}`,
    name: 'Scenario',
    ...extra,
  });
  const request = (
    env: CaseEnv,
    op: Operation,
    url: string,
    body: unknown,
    extra: Partial<HostileRequest> = {},
  ): HostileRequest => {
    const { headers, ...rest } = extra;
    return {
      method: op.method,
      url,
      headers: {
        ...(env.authorization === undefined ? {} : { authorization: env.authorization }),
        'content-type': 'application/json',
        ...headers,
      },
      payload: json(body),
      sentBody: body,
      mustReject: true,
      ...rest,
    };
  };
  const idOf = async (r: Promise<LightMyRequestResponse>) => (await r).json<{ id: string }>().id;

  const cases: HostileCase[] = [];
  const add = (op: Operation, label: string, build: HostileCase['build']) =>
    cases.push({ op, label: `scenario: ${label}`, build });

  add(
    createCategory,
    'create whose id is an existing category and its own parentId',
    async (env) => {
      const id = await idOf(post(createCategory.path, category(env)));
      return request(env, createCategory, createCategory.path, category(env, { id, parentId: id }));
    },
  );
  add(createCategory, 'create with an existing id upper-cased', async (env) => {
    const id = await idOf(post(createCategory.path, category(env)));
    return request(
      env,
      createCategory,
      createCategory.path,
      category(env, { id: id.toUpperCase() }),
    );
  });
  add(patchCategory, 'patch a category under itself', async (env) => {
    const id = await idOf(post(createCategory.path, category(env)));
    const url = patchCategory.path.replace('{id}', id);
    return request(env, patchCategory, url, { parentId: id }, { resourceValues: { id } });
  });
  add(patchCategory, 'patch a category under its own child', async (env) => {
    const parent = await idOf(post(createCategory.path, category(env)));
    const child = await idOf(post(createCategory.path, category(env, { parentId: parent })));
    const url = patchCategory.path.replace('{id}', parent);
    return request(
      env,
      patchCategory,
      url,
      { parentId: child },
      { resourceValues: { id: parent } },
    );
  });
  add(createProduct, 'create with an existing product id', async (env) => {
    const id = await idOf(post(createProduct.path, product(env)));
    return request(env, createProduct, createProduct.path, product(env, { id }));
  });
  add(createProduct, 'create with an existing product id upper-cased', async (env) => {
    const id = await idOf(post(createProduct.path, product(env)));
    return request(env, createProduct, createProduct.path, product(env, { id: id.toUpperCase() }));
  });
  add(createProduct, 'create with an existing product id as urn:uuid:', async (env) => {
    const id = await idOf(post(createProduct.path, product(env)));
    return request(env, createProduct, createProduct.path, product(env, { id: `urn:uuid:${id}` }));
  });
  add(createProduct, 'create in a deleted category', async (env) => {
    const id = await idOf(post(createCategory.path, category(env)));
    await admin({ method: 'DELETE', url: `${createCategory.path}/${id}` });
    return request(env, createProduct, createProduct.path, product(env, { categoryId: id }));
  });
  add(createProduct, 'Idempotency-Key replayed with the same body', async (env) => {
    const key = `k-${randomUUID()}`;
    const body = product(env);
    const first = await post(createProduct.path, body, { 'idempotency-key': key });
    return request(env, createProduct, createProduct.path, body, {
      headers: { 'idempotency-key': key },
      mustReject: false,
      expectStatus: [first.statusCode],
      verify: (r) =>
        r.body === first.body ? [] : [`replay ${brief(r.body)} != ${brief(first.body)}`],
    });
  });
  add(createProduct, 'Idempotency-Key reused with another body', async (env) => {
    const key = `k-${randomUUID()}`;
    await post(createProduct.path, product(env), { 'idempotency-key': key });
    return request(env, createProduct, createProduct.path, product(env), {
      headers: { 'idempotency-key': key },
      expectStatus: [422],
    });
  });
  add(createCategory, 'Idempotency-Key reused on another route', async (env) => {
    const key = `k-${randomUUID()}`;
    await post(createProduct.path, product(env), { 'idempotency-key': key });
    return request(env, createCategory, createCategory.path, category(env), {
      headers: { 'idempotency-key': key },
      expectStatus: [422],
    });
  });
  for (const warehouse of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype']) {
    add(adjust, `take 1 from warehouse "${warehouse}" that holds nothing`, async (env) => {
      const id = await idOf(post(createProduct.path, product(env, { stock: { main: 5 } })));
      const url = adjust.path.replace('{id}', id);
      return request(
        env,
        adjust,
        url,
        { warehouse, delta: -1, reason: 'hostile' },
        {
          resourceValues: { id },
          expectStatus: [409],
        },
      );
    });
  }
  return cases;
}
