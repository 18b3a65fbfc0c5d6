import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found from this file whether it runs from sources (tsx) or from dist/,
 * so infra/ files (migrations, templates, DDL) load the same way in both.
 */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'infra')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`infra/ not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
/** A file of the source tree that is data, not code (DDL, index templates), read at run time. */
export const projectPath = (...parts: string[]): string => join(projectRoot, ...parts);
export const infraPath = (...parts: string[]): string => join(projectRoot, 'infra', ...parts);
