import type { CaseEnv, HostileCase } from './case.js';
import { fillPath, type Operation } from './openapi.js';

/** Authorization headers that must never pass (401), and spellings of a good one that may. */
function authorizations(token: string): [string, string | undefined, boolean][] {
  return [
    ['no Authorization', undefined, true],
    ['scheme only', 'Bearer', true],
    ['scheme and a space', 'Bearer ', true],
    ['wrong token', 'Bearer not-the-token', true],
    ['token with one more character', `Bearer ${token}x`, true],
    ['token cut by one character', `Bearer ${token.slice(0, -1)}`, true],
    ['Basic scheme', `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`, true],
    ['two tokens', `Bearer ${token}, Bearer ${token}`, true],
    ['token in quotes', `Bearer "${token}"`, true],
    ['latin-1 token', 'Bearer t\u00e9\u00ff', true],
    ['8,000-character token', `Bearer ${'t'.repeat(8_000)}`, true],
    ['scheme in lower case', `bearer ${token}`, false],
    ['tab after the scheme', `Bearer\t${token}`, false],
  ];
}

/** Every bad credential on a secured operation is a 401 problem, before any other check. */
export function authCases(op: Operation, token: string): HostileCase[] {
  if (!op.secured) {
    return [
      {
        op,
        label: 'auth: junk Authorization on an open route is ignored',
        build: (env) => openRequest(op, env, { authorization: 'Bearer junk' }),
      },
    ];
  }
  return authorizations(token).map(([label, header, refused]) => ({
    op,
    label: `auth: ${label}`,
    build: async (env) => {
      const values = await env.pathValues(op);
      const body = env.validBody(op);
      return {
        method: op.method,
        url: fillPath(op.path, values),
        headers: {
          ...(header === undefined ? {} : { authorization: header }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined
          ? {}
          : { payload: body, sentBody: JSON.parse(body.toString()) as unknown }),
        resourceValues: values,
        mustReject: refused,
        ...(refused ? { expectStatus: [401] } : {}),
      };
    },
  }));
}

async function openRequest(op: Operation, env: CaseEnv, headers: Record<string, string>) {
  const values = await env.pathValues(op);
  return {
    method: op.method,
    url: fillPath(op.path, values),
    headers,
    resourceValues: values,
    mustReject: false,
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** Methods a path does not document: 404 or 405 problems, never a 5xx; HEAD of a GET is fine. */
export function methodCases(ops: readonly Operation[]): HostileCase[] {
  const paths = new Map<string, Operation[]>();
  for (const op of ops) paths.set(op.path, [...(paths.get(op.path) ?? []), op]);
  const cases: HostileCase[] = [];
  for (const [, pathOps] of paths) {
    const documented = new Set(pathOps.map((o) => o.method));
    const first = pathOps[0] as Operation;
    for (const method of METHODS.filter((m) => !documented.has(m))) {
      const headOfGet = method === 'HEAD' && documented.has('GET');
      cases.push({
        op: first,
        label: `method: undocumented ${method}`,
        build: async (env) => ({
          ...(await openRequest(
            first,
            env,
            env.authorization === undefined ? {} : { authorization: env.authorization },
          )),
          method,
          mustReject: !headOfGet,
        }),
      });
    }
  }
  return cases;
}
