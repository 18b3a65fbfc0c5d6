import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Problem } from '../../http/problems.js';

export interface Spooled {
  readonly path: string;
  readonly bytes: number;
  /** sha256 of the content, hex: what an Idempotency-Key retry is compared on. */
  readonly sha256: string;
}

/** Refuses a body over the limit; the connection closes so the rest is never read. */
export function tooLarge(maxBytes: number): Problem {
  return new Problem(
    'payload_too_large',
    `an import may hold at most ${maxBytes} bytes`,
    undefined,
    { connection: 'close' },
  );
}

/**
 * Copies a request body to a new file chunk by chunk (memory stays at one chunk whatever the
 * size), counting and hashing as it goes. Past `maxBytes` it stops reading, deletes the file
 * and throws 413. The stream is not destroyed on the way out, so the reply can still be sent.
 */
export async function spoolBody(body: Readable, dir: string, maxBytes: number): Promise<Spooled> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `aisle-import-${randomUUID()}.ndjson`);
  const file = await open(path, 'wx', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(maxBytes);
      hash.update(chunk);
      for (let written = 0; written < chunk.length;) {
        written += (await file.write(chunk, written, chunk.length - written)).bytesWritten;
      }
    }
    await file.close();
    return { path, bytes, sha256: hash.digest('hex') };
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
}
