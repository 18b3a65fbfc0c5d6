import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  SearchRuleSnapshot,
  SynonymSetSnapshot,
} from '../../../shared/events/merchandising-events.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import {
  listRules,
  readRule,
  replaceSynonyms,
  runRuleCommand,
} from '../../../shared/write-model/merchandising/commands.js';
import type {
  RuleCommand,
  RuleFields,
  RulePatch,
} from '../../../shared/write-model/merchandising/decide-rules.js';
import { readSynonymSet } from '../../../shared/write-model/merchandising/initial-synonyms.js';
import {
  conditionalHeaders,
  errorResponses,
  idParams,
  versionResponse,
} from '../../../shared/write-model/products/schemas.js';
import { answerCommand } from '../commands/respond.js';
import { etagOf, refuseConditionalCreate } from '../http.js';
import {
  ruleCreateBody,
  ruleListResponse,
  rulePatchBody,
  ruleResponse,
  synonymsBody,
  synonymsResponse,
} from './schemas.js';

const tags = ['search merchandising'];
const security = [{ bearer: [] }];
const answerRule = answerCommand<SearchRuleSnapshot>;

/**
 * Search merchandising in the admin API: the synonym set (replaced whole) and the query rules
 * that pin or hide products. Each change commits with its outbox event; catalog-read applies it.
 * Reads are strongly consistent, from Postgres.
 */
export function merchandisingRoutes(app: FastifyInstance, opts: { pool: Pool }): void {
  const { pool } = opts;

  app.get(
    '/search/synonyms',
    {
      schema: {
        tags,
        security,
        summary: 'The synonym set as stored',
        response: { 200: synonymsResponse, ...errorResponses },
      },
    },
    async (_request, reply) => {
      const set = await readSynonymSet(pool);
      void reply.header('etag', etagOf(set.version));
      return { version: set.version, lines: set.lines };
    },
  );

  app.put<{ Body: { lines: string[] } }>(
    '/search/synonyms',
    {
      schema: {
        tags,
        security,
        summary: 'Replace the whole synonym set',
        description:
          'Every line is checked; a 400 names each malformed one and changes nothing. The same ' +
          'lines again are not a change: the version stays and no event is written.',
        headers: conditionalHeaders,
        body: synonymsBody,
        response: { 200: synonymsResponse, ...errorResponses },
      },
      config: { idempotencyKeyed: true },
    },
    (request, reply) =>
      answerCommand<SynonymSetSnapshot>(
        request,
        reply,
        (c) => replaceSynonyms(pool, request.body.lines, c),
        (set) => ({ status: 200, body: { version: set.version, lines: set.lines } }),
      ),
  );

  app.post<{ Body: RuleFields }>(
    '/search/rules',
    {
      schema: {
        tags,
        security,
        summary: 'Create a query rule that pins or hides products',
        description: '422 unknown_product names the pinned or hidden ids that are no live product.',
        headers: conditionalHeaders,
        body: ruleCreateBody,
        response: { 201: versionResponse, ...errorResponses },
      },
      preHandler: refuseConditionalCreate,
    },
    (request, reply) => {
      const id = randomUUID();
      return answerRule(
        request,
        reply,
        (c) => runRuleCommand(pool, id, { type: 'CreateRule', id, fields: request.body }, c),
        (rule) => ({
          status: 201,
          body: { id: rule.id, version: rule.version },
          headers: { location: `/admin/v1/search/rules/${rule.id}` },
        }),
      );
    },
  );

  app.get(
    '/search/rules',
    {
      schema: {
        tags,
        security,
        summary: 'Every live query rule, the most recently changed first',
        response: { 200: ruleListResponse, ...errorResponses },
      },
    },
    async () => ({ items: await listRules(pool) }),
  );

  app.get<{ Params: { id: string } }>(
    '/search/rules/:id',
    {
      schema: {
        tags,
        security,
        summary: 'The query rule as stored',
        params: idParams,
        response: { 200: ruleResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const rule = await readRule(pool, request.params.id);
      void reply.header('etag', etagOf(rule.version));
      return rule;
    },
  );

  /** PATCH and DELETE of one rule: If-Match, Idempotency-Key, 200 `{id, version}`. */
  const changeOptions = (summary: string, more: Record<string, unknown>) => ({
    schema: {
      tags,
      security,
      summary,
      params: idParams,
      headers: conditionalHeaders,
      response: { 200: versionResponse, ...errorResponses },
      ...more,
    },
    config: { idempotencyKeyed: true },
  });
  const changeRule = (
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    command: RuleCommand,
  ) =>
    answerRule(
      request,
      reply,
      (c) => runRuleCommand(pool, request.params.id, command, c),
      (rule) => ({ status: 200, body: { id: rule.id, version: rule.version } }),
    );

  app.patch<{ Params: { id: string }; Body: RulePatch }>(
    '/search/rules/:id',
    changeOptions('Change a query rule', { body: rulePatchBody }),
    (request, reply) => changeRule(request, reply, { type: 'ChangeRule', patch: request.body }),
  );

  app.delete<{ Params: { id: string } }>(
    '/search/rules/:id',
    changeOptions('Delete a query rule', {
      description: 'Committed with a SearchRuleDeleted event; the rule then answers 404.',
    }),
    (request, reply) => changeRule(request, reply, { type: 'DeleteRule' }),
  );
}
