import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { Config } from '../../../shared/config/index.js';
import { withProblems } from '../../../shared/http/error-schemas.js';
import { Problem } from '../../../shared/http/problems.js';
import { validatorCompiler } from '../../../shared/http/validation.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import { inTransaction } from '../../../shared/write-model/kit/transaction.js';
import { correlationId } from '../http.js';
import { requestHash } from '../idempotency/plugin.js';
import {
  claimKey,
  completeKey,
  releaseKey,
  type KeyRef,
} from '../../../shared/write-model/idempotency/store.js';
import { runImport } from '../../../shared/write-model/imports/importer.js';
import { failStaleImports, removeOrphanSpools } from '../../../shared/write-model/imports/sweep.js';
import { insertImport, loadImport } from '../../../shared/write-model/imports/repository.js';
import {
  importAccepted,
  importBody,
  importContentTypes,
  importHeaders,
  importIdParams,
  importProgress,
} from './schemas.js';
import { spoolBody, tooLarge, type Spooled } from '../../../shared/write-model/imports/spool.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `manual`: the route handles Idempotency-Key itself (its body is a stream, not JSON). */
    idempotency?: 'manual';
  }
}

const tags = ['imports'];
const security = [{ bearer: [] }];
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REJECTIONS_SHOWN = 1000;

/**
 * POST /imports (NDJSON, streamed) and GET /imports/:id. The POST spools the body to a file
 * (never to memory), creates the import and answers 202 at once; the file is then imported in
 * the background in batches, each batch one transaction with its outbox events and progress.
 */
export function importRoutes(app: FastifyInstance, opts: { pool: Pool; config: Config }): void {
  const { pool, config } = opts;
  const spoolDir = config.importSpoolDir ?? tmpdir();
  const maxBytes = config.importMaxBytes;
  const running = new Set<Promise<void>>();
  const spoolsInUse = new Set<string>();
  const shutdown = new AbortController();

  // Params and headers are validated as everywhere else; the body is a stream, documented only.
  const sharedCompiler = validatorCompiler();
  const streamBody: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? () => true : sharedCompiler(route);

  const start = (request: FastifyRequest, importId: string, spooled: Spooled): void => {
    const job = runImport(
      { importId, spoolPath: spooled.path, correlationId: correlationId(request) },
      { pool, batchSize: config.importBatchSize, log: app.log, signal: shutdown.signal },
    );
    running.add(job);
    spoolsInUse.add(spooled.path);
    void job.finally(() => {
      running.delete(job);
      spoolsInUse.delete(spooled.path);
    });
  };

  // Imports cut short by a crash elsewhere (or here, before a restart) are failed clearly and
  // their spool files removed, at start and then periodically.
  const sweep = async () => {
    try {
      const failed = await failStaleImports(pool, config.importStaleAfterMs);
      const removed = await removeOrphanSpools(spoolDir, spoolsInUse, config.importStaleAfterMs);
      if (failed.length > 0 || removed > 0) {
        app.log.warn({ failed, spoolFilesRemoved: removed }, 'swept interrupted imports');
      }
    } catch (error) {
      app.log.error({ err: error }, 'import sweep failed; it runs again later');
    }
  };
  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await sweep();
    sweeper = setInterval(() => void sweep(), Math.ceil(config.importStaleAfterMs / 2));
    sweeper.unref();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweeper);
    done();
  });

  void app.register((scope, _options, done) => {
    // Only NDJSON reaches this context's routes, handed over unread; anything else is 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([...importContentTypes], (_request, payload, parsed) =>
      parsed(null, payload),
    );
    scope.addHook('onClose', async () => {
      shutdown.abort(new Error('the server shut down before the import finished'));
      await Promise.allSettled(running);
    });

    scope.post<{ Body: Readable | undefined }>(
      '/imports',
      {
        config: { idempotency: 'manual' },
        validatorCompiler: streamBody,
        schema: {
          tags,
          security,
          summary: 'Import products from NDJSON (streamed, any size); progress at Location',
          consumes: [...importContentTypes],
          body: importBody,
          headers: importHeaders,
          response: withProblems({ 202: importAccepted }),
        },
      },
      async (request, reply) => {
        const key = idempotencyKey(request);
        if (Number(request.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
        const { body } = request;
        if (body === undefined) throw emptyImport();
        if (!(body instanceof Readable)) throw new Problem('unsupported_media_type');
        const spooled = await spoolBody(body, spoolDir, maxBytes);
        let started = false;
        try {
          if (spooled.bytes === 0) throw emptyImport();
          const asked = key === undefined ? undefined : { principal: principalOf(request), key };
          const claim =
            asked === undefined ? undefined : await claimImport(request, reply, asked, spooled);
          if (claim === 'replayed') return reply;
          const ref =
            asked === undefined || claim === undefined
              ? undefined
              : { ...asked, token: claim.token };
          const importId = randomUUID();
          const location = `/admin/v1/imports/${importId}`;
          const answer = { importId };
          try {
            await inTransaction(pool, async (client) => {
              await insertImport(client, importId, spooled.bytes);
              if (ref === undefined) return;
              await completeKey(
                client,
                ref,
                {
                  status: 202,
                  headers: { location, 'content-type': 'application/json; charset=utf-8' },
                  body: JSON.stringify(answer),
                },
                true,
              );
            });
          } catch (error) {
            if (ref !== undefined) await releaseKey(pool, ref).catch(() => undefined);
            throw error;
          }
          start(request, importId, spooled);
          started = true;
          return await reply.code(202).header('location', location).send(answer);
        } finally {
          if (!started) await rm(spooled.path, { force: true });
        }
      },
    );

    scope.get<{ Params: { id: string } }>(
      '/imports/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Progress of an import: counts, rejected lines with reasons, and whether done',
          params: importIdParams,
          response: withProblems({ 200: importProgress }),
        },
      },
      async (request) => {
        const view = await loadImport(pool, request.params.id, REJECTIONS_SHOWN);
        if (view === undefined) throw new Problem('not_found', `no import ${request.params.id}`);
        return view;
      },
    );
    done();
  });

  /**
   * Idempotency-Key on an import: the generic hook skips this route (its body is a stream), so
   * the key is claimed here once the content is spooled, on a hash of that content. The first
   * answer is stored with the import row, in its transaction, and replayed for a retry.
   * Resolves true when the reply was sent from the stored answer (a plain boolean: a reply is
   * thenable, so it must not be what a promise resolves to).
   */
  async function claimImport(
    request: FastifyRequest,
    reply: FastifyReply,
    ref: KeyRef,
    spooled: Spooled,
  ): Promise<{ token: string } | 'replayed'> {
    const hash = requestHash(request.method, request.url, {
      sha256: spooled.sha256,
      bytes: spooled.bytes,
    });
    const outcome = await claimKey(pool, ref, hash, config.idempotencyTtlSeconds);
    switch (outcome.kind) {
      case 'claimed':
        return { token: outcome.token };
      case 'replay':
        void reply
          .code(outcome.response.status)
          .headers(outcome.response.headers)
          .header('idempotent-replayed', 'true')
          .send(outcome.response.body);
        return 'replayed';
      case 'mismatch':
        throw new Problem(
          'idempotency_key_reused',
          'this Idempotency-Key was used with a different import',
        );
      case 'in_progress':
        throw new Problem(
          'idempotency_key_in_use',
          'retry once the first request has finished',
          undefined,
          { 'retry-after': '1' },
        );
    }
  }
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new Problem(
      'validation_failed',
      'Idempotency-Key must be 1 to 255 visible ASCII characters',
      [{ field: 'headers.idempotency-key', message: 'is invalid' }],
    );
  }
  return key;
}

const principalOf = (request: FastifyRequest): string => request.principal ?? 'anonymous';

const emptyImport = (): Problem =>
  new Problem('validation_failed', 'the import is empty: send one product per line', [
    { field: 'body', message: 'is empty' },
  ]);
