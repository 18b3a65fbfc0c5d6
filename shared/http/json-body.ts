import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Problem } from './problems.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The `charset` parameter of a Content-Type, lower-cased; undefined when there is none. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/**
 * JSON bodies are read as bytes and decoded strictly: a charset other than UTF-8 is a 415, and
 * bytes that are not valid UTF-8 are a 400, instead of being silently replaced by U+FFFD and
 * stored altered. The decoded text then goes through Fastify's own parser (prototype-poisoning
 * protection, empty-body handling).
 */
export function strictJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done) => {
      const charset = declaredCharset(request.headers['content-type']);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
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
