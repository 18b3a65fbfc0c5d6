import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import type { CaseEnv, HostileCase, HostileRequest } from './case.js';
import { routeName, type Operation } from './openapi.js';
import { brief } from './read-back.js';
import { changedTables, type Fingerprint } from './write-model.js';

/** A defect the suite found and that is left to its owner: its cases run as `todo`. */
export interface KnownDefect {
  /** Precisely what is wrong, with the request that shows it. */
  readonly defect: string;
  matches(route: string, label: string): boolean;
}

/** A service under attack and what the runner may use to judge its answers. */
export interface Target {
  readonly name: string;
  readonly app: FastifyInstance;
  readonly env: CaseEnv;
  /** Fingerprints the write model; absent for read-only services. */
  readonly fingerprint?: () => Promise<Fingerprint>;
  /** Compares an accepted write with what the service then reads back. */
  readonly readBack?: {
    before(op: Operation, request: HostileRequest): Promise<unknown>;
    check(
      op: Operation,
      request: HostileRequest,
      response: LightMyRequestResponse,
      before: unknown,
    ): Promise<string[]>;
  };
  readonly knownDefects?: readonly KnownDefect[];
}

/** Per route: how many cases ran and how long they took. */
export type Counts = Map<string, RouteCount>;

export interface RouteCount {
  readonly cases: number;
  readonly ms: number;
  /** How many cases were answered with each status: what the walk exercised. */
  readonly statuses: ReadonlyMap<number, number>;
}

/**
 * Runs every case against the target, one route per subtest, and checks each answer: never a
 * 5xx; a 4xx is problem+json with type, title, status and code; input that breaks the contract
 * is refused; a refused write stores nothing; an accepted write reads back as sent.
 */
export async function runCases(
  t: Test,
  target: Target,
  cases: readonly HostileCase[],
): Promise<Counts> {
  const counts: Counts = new Map();
  const byRoute = new Map<string, HostileCase[]>();
  for (const c of cases) byRoute.set(routeName(c.op), [...(byRoute.get(routeName(c.op)) ?? []), c]);
  const state: RunState = { last: undefined };
  for (const [route, routeCases] of byRoute) {
    const started = Date.now();
    const statuses = new Map<number, number>();
    await t.test(`${target.name} ${route} (${routeCases.length} cases)`, async (rt) => {
      for (const c of routeCases) {
        const outcome = await runOne(target, c, state);
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        const known = target.knownDefects?.find((d) => d.matches(route, c.label));
        if (known === undefined) rt.same(outcome.problems, [], c.label);
        else {
          await rt.test(c.label, { todo: known.defect }, async (tt) => {
            tt.same(outcome.problems, [], c.label);
          });
        }
      }
    });
    counts.set(route, { cases: routeCases.length, ms: Date.now() - started, statuses });
  }
  return counts;
}

interface Outcome {
  readonly problems: string[];
  /** 0 when no answer came. */
  readonly status: number;
}

/** The write model as the last refused request left it, while nothing else wrote since. */
interface RunState {
  last: Fingerprint | undefined;
}

async function runOne(target: Target, c: HostileCase, run: RunState): Promise<Outcome> {
  const request = await c.build(target.env);
  // Building may have created fixtures: then the write model is fingerprinted again.
  const wrote = target.env.takeWrites?.() ?? true;
  const before = wrote || run.last === undefined ? await target.fingerprint?.() : run.last;
  run.last = undefined;
  const state = await target.readBack?.before(c.op, request);
  let response: LightMyRequestResponse;
  try {
    response = await target.app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: request.headers,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
  } catch (error) {
    return { problems: [`inject threw: ${String(error)}`], status: 0 };
  }
  const problems = [
    ...answerProblems(request, response),
    ...(request.verify?.(response) ?? []),
    ...(await sameAnswer(target.app, request, response)),
  ];
  if (before !== undefined && response.statusCode >= 400) {
    const after = (await target.fingerprint?.()) ?? before;
    run.last = after;
    const changed = changedTables(before, after);
    if (changed.length > 0)
      problems.push(`refused with ${response.statusCode} but changed ${changed.join(', ')}`);
  }
  if (response.statusCode < 300 && target.readBack !== undefined && c.op.method !== 'GET') {
    problems.push(...(await target.readBack.check(c.op, request, response, state)));
  }
  return { problems, status: response.statusCode };
}

/** An accepted other spelling of an id answers as the canonical one does. */
async function sameAnswer(
  app: FastifyInstance,
  request: HostileRequest,
  response: LightMyRequestResponse,
): Promise<string[]> {
  if (request.sameAs === undefined || response.statusCode >= 300) return [];
  const canonical = await app.inject({
    method: 'GET',
    url: request.sameAs,
    headers: request.headers,
  });
  if (canonical.statusCode === response.statusCode && canonical.body === response.body) return [];
  return [
    `answered ${response.statusCode} ${brief(response.body)}, but the canonical id answers ` +
      `${canonical.statusCode} ${brief(canonical.body)}`,
  ];
}

/** An answer as the checks read it, from inject() or from a raw socket. */
export interface Answer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** What is wrong with an answer by itself: a 5xx, a 4xx that is not a problem document. */
export function answerProblems(
  request: Pick<HostileRequest, 'method' | 'mustReject' | 'expectStatus' | 'allowUnavailable'>,
  response: Answer,
): string[] {
  const status = response.statusCode;
  const problems: string[] = [];
  if (status === 503 && request.allowUnavailable === true) {
    const retry = response.headers['retry-after'] === undefined ? ['503 without Retry-After'] : [];
    return [...retry, ...problemDocumentProblems(response)];
  }
  if (status >= 500) problems.push(`answered ${status}: ${brief(response.body.slice(0, 300))}`);
  if (request.expectStatus !== undefined && !request.expectStatus.includes(status)) {
    problems.push(`answered ${status}, expected ${request.expectStatus.join(' or ')}`);
  } else if (request.mustReject && status < 400) {
    problems.push(`accepted (${status}) input that breaks the contract`);
  }
  // A HEAD answer has no body to be a problem document.
  if (status >= 400 && status < 500 && request.method !== 'HEAD') {
    problems.push(...problemDocumentProblems(response));
  }
  return problems;
}

function problemDocumentProblems(response: Answer): string[] {
  const header = response.headers['content-type'];
  const type = typeof header === 'string' ? header : '';
  if (!type.startsWith('application/problem+json')) {
    return [`${response.statusCode} with content-type ${brief(type)}, not problem+json`];
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    return [`${response.statusCode} problem body is not JSON: ${brief(response.body)}`];
  }
  const missing = ['type', 'title', 'code'].filter((k) => typeof body[k] !== 'string');
  if (body['status'] !== response.statusCode) missing.push('status');
  return missing.length === 0 ? [] : [`problem document lacks or misstates ${missing.join(', ')}`];
}

/** The summary: cases per route, per service and in all. */
export function summarize(service: string, counts: Counts): string[] {
  const lines = [...counts].map(([route, { cases, ms, statuses }]) => {
    const answered = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}x${n}`)
      .join(' ');
    return `  ${service} ${route}: ${cases} cases, ${ms} ms (${answered})`;
  });
  const total = totalCases(counts);
  return [...lines, `${service}: ${total} cases on ${counts.size} routes`];
}

export function totalCases(counts: Counts): number {
  return [...counts.values()].reduce((sum, { cases }) => sum + cases, 0);
}
