import { readFile } from 'node:fs/promises';
import type { SynonymSetSnapshot } from '../../events/merchandising-events.js';
import { infraPath } from '../../paths.js';
import type { Pool } from '../../stores/postgres.js';
import { storeInitialSynonyms } from './commands.js';
import { loadSynonymSet } from './repository.js';

/**
 * The repo's synonyms file is only the initial set (DESIGN "Merchandising"): `aisle bootstrap`
 * stores it as version 1 when no set is stored yet, and from then on the admin API owns the set.
 */
export const INITIAL_SYNONYMS_FILE = infraPath('search', 'synonyms.txt');

/** The file's lines as the set keeps them: comments and blank lines too, no final empty line. */
export async function readInitialSynonymLines(path = INITIAL_SYNONYMS_FILE): Promise<string[]> {
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Bootstrap: stores the initial set with its SynonymsReplaced event unless a set is stored
 * already. Idempotent and safe to run from several places at once; a malformed file fails here,
 * naming its lines, and stores nothing.
 */
export async function bootstrapSynonyms(
  pool: Pool,
  path = INITIAL_SYNONYMS_FILE,
): Promise<{ set: SynonymSetSnapshot; created: boolean }> {
  return storeInitialSynonyms(pool, await readInitialSynonymLines(path), 'aisle-bootstrap');
}

/**
 * The set GET /admin/v1/search/synonyms answers: the stored one, or before bootstrap stored
 * anything the initial file's lines at version 0 (an If-Match for a first replace).
 */
export async function readSynonymSet(
  pool: Pool,
  path = INITIAL_SYNONYMS_FILE,
): Promise<Pick<SynonymSetSnapshot, 'version' | 'lines'>> {
  const stored = await loadSynonymSet(pool);
  if (stored !== undefined) return stored;
  return { version: 0, lines: await readInitialSynonymLines(path) };
}
