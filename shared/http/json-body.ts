import type { FastifyInstance, FastifyRequest, preParsingHookHandler } from 'fastify';
import { Problem } from './problems.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The `charset` parameter of a Content-Type, lower-cased; undefined when there is none. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

const isUtf8 = (charset: string | undefined) =>
  charset === undefined || charset === 'utf-8' || charset === 'utf8';

/** Methods whose requests Fastify reads a body for. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const rejectNonUtf8Body: preParsingHookHandler = (request, _reply, payload, done) => {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0;
  const charset = declaredCharset(request.headers['content-type']);
  if (hasBody && !isUtf8(charset)) {
    done(new Problem('unsupported_media_type', `Bodies must be UTF-8, not ${charset}.`));
    return;
  }
  done(null, payload);
};

/**
 * JSON bodies are read as bytes and decoded strictly: a charset other than UTF-8 is a 415, and
 * bytes that are not valid UTF-8 are a 400, instead of being silently replaced by U+FFFD and
 * stored altered. The decoded text then goes through Fastify's own parser (prototype-poisoning
 * protection, empty-body handling). Fastify's text/plain parser is removed: no route takes
 * text, and it would decode any declared charset as UTF-8, so a text body is a 415 like any
 * other type a route does not take.
 */
export function strictJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.removeContentTypeParser('text/plain');
  // Every body is UTF-8 (API.md), whatever parser a route brings (imports bring their own):
  // checked before any parser runs, after authentication. Only on routes whose methods take a
  // body: Fastify reads none for GET and HEAD, and a hook on the hottest public routes would be
  // spent on nothing.
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().some((method) => BODY_METHODS.has(method))) return;
    route.preParsing = [...[route.preParsing ?? []].flat(), rejectNonUtf8Body];
  });
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done) => {
      const charset = declaredCharset(request.headers['content-type']);
      if (!isUtf8(charset)) {
        done(new Problem('unsupported_media_type', `JSON bodies must be UTF-8, not ${charset}.`));
        return;
      }
      let text: string;
      try {
        text = utf8.decode(body);
      } catch {
        done(new Problem('malformed_json', 'The body is not valid UTF-8.'));
        return;
      }
      // Fastify's parser answers through done(); its return value carries nothing.
      void parseJson(request, text, done);
    },
  );
}
