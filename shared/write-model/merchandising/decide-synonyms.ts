import type { SynonymSetSnapshot } from '../../events/merchandising-events.js';
import { synonymLineErrors } from '../../read-models/search/query/synonyms.js';
import { DomainError } from '../domain-error.js';

export const synonymLimits = {
  /** Lines in the whole set, comments and blank lines included. */
  linesMax: 5_000,
  /** Characters (code points, as JSON Schema counts them) in one line. */
  lineCharsMax: 1_000,
} as const;

/** What a replace of the set decided: the set after it, and whether it differs from before. */
export interface SynonymsDecision {
  readonly set: SynonymSetSnapshot;
  /** False when the lines are the current ones: no new version, no event. */
  readonly changed: boolean;
}

/**
 * The synonym set rules: within the bounds, and every line parses as the search side parses it
 * (parseSynonyms). A refusal names every line at fault, numbered from 1 as a text editor shows
 * them. The first stored set is version 1; each change adds one.
 */
export function decideSynonyms(
  lines: readonly string[],
  current: SynonymSetSnapshot | undefined,
  now: string,
): SynonymsDecision {
  checkLines(lines);
  if (current !== undefined && sameLines(current.lines, lines)) {
    return { set: current, changed: false };
  }
  return {
    set: { version: (current?.version ?? 0) + 1, lines: [...lines], updatedAt: now },
    changed: true,
  };
}

function checkLines(lines: readonly string[]): void {
  if (lines.length > synonymLimits.linesMax) {
    throw new DomainError(
      'validation_failed',
      `a synonym set has at most ${synonymLimits.linesMax} lines, not ${lines.length}`,
      'lines',
    );
  }
  const tooLong = lines.flatMap((text, index) =>
    Array.from(text).length > synonymLimits.lineCharsMax
      ? [{ line: index + 1, reason: `longer than ${synonymLimits.lineCharsMax} characters` }]
      : [],
  );
  const faults = [...tooLong, ...synonymLineErrors(lines)].sort((a, b) => a.line - b.line);
  if (faults.length === 0) return;
  const numbers = [...new Set(faults.map((f) => f.line))].join(', ');
  throw new DomainError(
    'validation_failed',
    `synonym line${numbers.includes(',') ? 's' : ''} ${numbers} cannot be parsed; nothing was changed`,
    undefined,
    faults.map((f) => ({ field: 'lines', message: `line ${f.line}: ${f.reason}` })),
  );
}

const sameLines = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((line, i) => line === b[i]);
